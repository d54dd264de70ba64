import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { pageShape, toConnection } from '../queries/find-page';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor';
import { SearchHitConnection, SearchKind } from './types/search-hit.types';
import type { NodeType } from '../lineage/node-types';
import { countSearchHits, searchLineage } from '../queries/search';
import { loadNode } from './node.resolver';

const NODE_TYPE: Record<SearchKind, NodeType> = {
  PAYLOAD: 'ApiPayload',
  DECISION: 'TradeDecision',
  EXECUTION: 'TradeExecution',
};
const MAX_QUERY_LENGTH = 500;

@Authorized(Permission.readLineage)
@Resolver()
export class SearchResolver {
  @Query(() => SearchHitConnection, {
    description:
      'Full-text search over payload bodies and endpoints, decision rationales and execution error messages, ' +
      'ranked. Takes plain text as a search box does: words, "quoted phrases", -excluded, or. ' +
      'Hits are ordered by rank, highest first, then by kind and id, and paged in that order: ' +
      'every hit is on exactly one page, ' +
      'forward or backward. The number of hits is not capped.',
  })
  async search(
    @Arg('query', () => String) text: string,
    @Arg('kinds', () => [SearchKind], { nullable: true, description: 'Default: every kind.' })
    kinds: SearchKind[] | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() { em, loaders }: Context,
  ) {
    if (text.trim() === '' || text.length > MAX_QUERY_LENGTH) {
      throw new BadInputError(`\`query\` must be 1 to ${MAX_QUERY_LENGTH} characters of text`, 'query');
    }
    const { forward, size } = pageShape(args);
    const after = args.after ? decodeSearchCursor(args.after, text, 'after') : null;
    const before = args.before ? decodeSearchCursor(args.before, text, 'before') : null;
    const chosen = kinds && kinds.length > 0 ? [...new Set(kinds)] : Object.values(SearchKind);

    // One row past the page says whether there is a next one; its node joins the same loader batch.
    const rows = await searchLineage(em, text, chosen, { forward, limit: size + 1, after, before });
    const nodes = await Promise.all(rows.map((row) => loadNode(loaders, NODE_TYPE[row.kind], row.id)));
    const hits = rows.flatMap((row, index) => {
      const node = nodes[index];
      return node ? [{ ...row, kind: row.kind as SearchKind, node }] : [];
    });
    return toConnection(
      hits,
      { forward, size, after: args.after, before: args.before },
      (hit) => encodeSearchCursor(text, hit),
      () => countSearchHits(em, text, chosen),
    );
  }
}
