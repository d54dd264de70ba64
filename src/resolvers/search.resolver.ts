import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from '../context';
import { BadInputError } from '../errors';
import type { NodeType } from '../graphql/global-id';
import { decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { pageShape, toConnection } from '../graphql/pagination/find-page';
import { SearchHitConnection, SearchKind } from '../graphql/search-hit.types';
import { searchLineage } from '../queries/search';
import { loadNode } from './node.resolver';

const NODE_TYPE: Record<SearchKind, NodeType> = { PAYLOAD: 'ApiPayload', DECISION: 'TradeDecision', EXECUTION: 'TradeExecution' };
const MAX_QUERY_LENGTH = 500;
const MAX_OFFSET = 1000;

@Authorized(Permission.readLineage)
@Resolver()
export class SearchResolver {
  @Query(() => SearchHitConnection, {
    description:
      'Full-text search over payload bodies and endpoints, decision rationales and execution error messages, ' +
      'ranked. Takes plain text as a search box does: words, "quoted phrases", -excluded, or.',
  })
  async search(
    @Arg('query', () => String) text: string,
    @Arg('kinds', () => [SearchKind], { nullable: true, description: 'Default: every kind.' }) kinds: SearchKind[] | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { em, loaders }: Context,
  ) {
    if (text.trim() === '' || text.length > MAX_QUERY_LENGTH) {
      throw new BadInputError(`\`query\` must be 1 to ${MAX_QUERY_LENGTH} characters of text`, 'query');
    }
    const { size } = pageShape({ first });
    const offset = after ? Number(decodeCursor(after, 'SearchHit', 'after')) : 0;
    if (offset > MAX_OFFSET) throw new BadInputError(`search pages end after ${MAX_OFFSET} hits: narrow the query`, 'after');
    const chosen = kinds && kinds.length > 0 ? [...new Set(kinds)] : Object.values(SearchKind);

    // One row past the page says whether there is a next one; its node joins the same loader batch.
    const rows = await searchLineage(em, text, chosen, { offset, limit: size + 1 });
    const nodes = await Promise.all(rows.map((row) => loadNode(loaders, NODE_TYPE[row.kind], row.id)));
    // A cursor is the hit's position in the ranking, so the next page starts right after it.
    const hits = rows.flatMap((row, index) => {
      const node = nodes[index];
      return node ? [{ position: offset + index + 1, kind: row.kind as SearchKind, rank: row.rank, snippet: row.snippet, node }] : [];
    });
    return toConnection(hits, { forward: true, size, after }, (hit) => encodeCursor('SearchHit', String(hit.position)));
  }
}
