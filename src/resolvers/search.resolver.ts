import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { MAX_SEARCH_TEXT_LENGTH } from '../graphql/where/predicate-inputs';
import { pageShape, toConnection } from '../queries/find-page';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor';
import { SearchHitConnection, SearchKind } from './types/search-hit.types';
import { type NodeType, nodeTypeOfTable } from '../lineage/node-types';
import { auditEventsOf, countSearchHits, narrowSearch, searchLineage } from '../queries/search';
import { loadNode } from './node.resolver';
import { SEARCH_WHERE_FIELDS, SearchWhere } from './where/search-where';

const NODE_TYPE: Record<Exclude<SearchKind, SearchKind.AUDIT_EVENT>, NodeType> = {
  PAYLOAD: 'ApiPayload',
  DECISION: 'TradeDecision',
  EXECUTION: 'TradeExecution',
};

/** The kinds searched: those asked for; else those `where` narrows; else every kind. */
function kindsOf(kinds: SearchKind[] | null, where: SearchWhere | null): SearchKind[] {
  const narrowed = Object.values(SearchKind).filter((kind) => where?.[SEARCH_WHERE_FIELDS[kind]] != null);
  if (!kinds || kinds.length === 0) return narrowed.length > 0 ? narrowed : Object.values(SearchKind);
  const chosen = [...new Set(kinds)];
  const left = narrowed.find((kind) => !chosen.includes(kind));
  if (left) {
    const argument = `where.${SEARCH_WHERE_FIELDS[left]}`;
    throw new BadInputError(`\`${argument}\` narrows ${left} hits, which \`kinds\` leaves out`, argument);
  }
  return chosen;
}

@Authorized(Permission.readLineage)
@Resolver()
export class SearchResolver {
  @Query(() => SearchHitConnection, {
    description:
      'Full-text search over payload bodies and endpoints, decision rationales, execution error messages ' +
      'and audit events, ranked. Takes plain text as a search box does: words, "quoted phrases", -excluded, or. ' +
      'Hits are ordered by rank, highest first, then by kind and id, and paged in that order: ' +
      'every hit is on exactly one page, ' +
      'forward or backward. The number of hits is not capped.',
  })
  async search(
    @Arg('query', () => String) text: string,
    @Arg('kinds', () => [SearchKind], {
      nullable: true,
      description: 'Default: the kinds `where` narrows, else every kind.',
    })
    kinds: SearchKind[] | null,
    @Arg('where', () => SearchWhere, {
      nullable: true,
      description: 'Conditions per kind, as each list takes them; counted by totalCount and kept by every page.',
    })
    where: SearchWhere | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() { em, loaders }: Context,
  ) {
    if (text.trim() === '' || text.length > MAX_SEARCH_TEXT_LENGTH) {
      throw new BadInputError(`\`query\` must be 1 to ${MAX_SEARCH_TEXT_LENGTH} characters of text`, 'query');
    }
    const { forward, size } = pageShape(args);
    const after = args.after ? decodeSearchCursor(args.after, text, 'after') : null;
    const before = args.before ? decodeSearchCursor(args.before, text, 'before') : null;
    const chosen = kindsOf(kinds, where);
    const narrowing = await narrowSearch(
      em,
      Object.fromEntries(chosen.map((kind) => [kind, where?.[SEARCH_WHERE_FIELDS[kind]]])),
      (kind) => `where.${SEARCH_WHERE_FIELDS[kind]}`,
    );

    // One row past the page says whether there is a next one; its node joins the same loader batch.
    const rows = await searchLineage(em, text, chosen, { forward, limit: size + 1, after, before }, narrowing);
    const events = await auditEventsOf(
      em,
      rows.filter((row) => row.kind === SearchKind.AUDIT_EVENT).map((row) => row.id),
    );
    const nodes = await Promise.all(
      rows.map((row) => {
        if (row.kind !== SearchKind.AUDIT_EVENT) return loadNode(loaders, NODE_TYPE[row.kind], row.id);
        // An event hit is always about a node's row (the search's own condition).
        return loadNode(loaders, nodeTypeOfTable(row.subjectTable!)!, row.subjectId!);
      }),
    );
    const hits = rows.flatMap((row, index) => {
      const node = nodes[index];
      const auditEvent = row.kind === SearchKind.AUDIT_EVENT ? (events.get(row.id) ?? null) : null;
      return node ? [{ ...row, kind: row.kind as SearchKind, node, auditEvent }] : [];
    });
    return toConnection(
      hits,
      { forward, size, after: args.after, before: args.before },
      (hit) => encodeSearchCursor(text, hit),
      () => countSearchHits(em, text, chosen, narrowing),
    );
  }
}
