import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { BadInputError } from '../errors';
import type { NodeType } from '../graphql/global-id';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../graphql/pagination/connection';
import { decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { SearchHitConnection, SearchKind } from '../graphql/search-hit.types';
import { searchLineage } from '../queries/search';
import { loadNode } from './node.resolver';

const NODE_TYPE: Record<SearchKind, NodeType> = { PAYLOAD: 'ApiPayload', DECISION: 'TradeDecision', EXECUTION: 'TradeExecution' };
const MAX_QUERY_LENGTH = 500;
const MAX_OFFSET = 1000;

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
  ): Promise<SearchHitConnection> {
    if (text.trim() === '' || text.length > MAX_QUERY_LENGTH) {
      throw new BadInputError(`\`query\` must be 1 to ${MAX_QUERY_LENGTH} characters of text`, 'query');
    }
    const size = first ?? DEFAULT_PAGE_SIZE;
    if (size < 0 || size > MAX_PAGE_SIZE) throw new BadInputError(`\`first\` must be between 0 and ${MAX_PAGE_SIZE}; got ${size}`, 'first');
    const offset = after ? Number(decodeCursor(after, 'SearchHit', 'after')) : 0;
    if (offset > MAX_OFFSET) throw new BadInputError(`search pages end after ${MAX_OFFSET} hits: narrow the query`, 'after');
    const chosen = kinds && kinds.length > 0 ? [...new Set(kinds)] : Object.values(SearchKind);

    const rows = await searchLineage(em, text, chosen, { offset, limit: size + 1 });
    const pageRows = rows.slice(0, size);
    const nodes = await Promise.all(pageRows.map((row) => loadNode(loaders, NODE_TYPE[row.kind], row.id)));
    const edges = pageRows.flatMap((row, index) => {
      const node = nodes[index];
      if (!node) return [];
      return [{ cursor: encodeCursor('SearchHit', String(offset + index + 1)), node: { kind: row.kind as SearchKind, rank: row.rank, snippet: row.snippet, node } }];
    });
    return {
      edges,
      nodes: edges.map((edge) => edge.node),
      pageInfo: {
        hasNextPage: rows.length > size,
        hasPreviousPage: offset > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}
