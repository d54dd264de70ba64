import type { EntityManager } from '@mikro-orm/postgresql';
import { SEARCH_VECTORS } from './search-vectors';

export type SearchKind = 'PAYLOAD' | 'DECISION' | 'EXECUTION';
export type SearchHit = { kind: SearchKind; id: string; rank: number; snippet: string };

/** Per kind: the table, its indexed text, and the text shown around a match. */
const SOURCES: Record<SearchKind, { table: keyof typeof SEARCH_VECTORS; document: string }> = {
  PAYLOAD: { table: 'api_payloads', document: `endpoint || ' ' || coalesce(payload::text, '')` },
  DECISION: { table: 'trade_decisions', document: `strategy || ' ' || symbol || ' ' || coalesce(decision_rationale::text, '')` },
  EXECUTION: { table: 'trade_executions', document: `coalesce(error_message, '')` },
};

/** Candidates ranked per kind before merging: enough for deep pages, bounded for broad words. */
const CANDIDATES_PER_KIND = 1000;

/**
 * Full-text search across the chosen kinds in one statement. Plain user text
 * goes through `websearch_to_tsquery`, which accepts any punctuation; each
 * kind matches through its GIN expression index, is ranked with `ts_rank`,
 * and only the page's hits get a `ts_headline` snippet (it re-parses the
 * document, so it is the expensive part).
 */
export async function searchLineage(
  em: EntityManager,
  text: string,
  kinds: SearchKind[],
  page: { offset: number; limit: number },
): Promise<SearchHit[]> {
  const branches = kinds.map((kind) => {
    const { table, document } = SOURCES[kind];
    return `(select '${kind}' as kind, id, ts_rank(${SEARCH_VECTORS[table]}, query) as rank, ${document} as document
       from ${table}, query where ${SEARCH_VECTORS[table]} @@ query
       order by rank desc, id limit ${CANDIDATES_PER_KIND})`;
  });
  return em.getConnection().execute<SearchHit[]>(
    `with query as (select websearch_to_tsquery('english', ?) as query),
     page as (
       select * from (${branches.join(' union all ')}) hits
       order by rank desc, kind, id offset ? limit ?
     )
     select kind, id::text as id, rank::float8 as rank,
       ts_headline('english', document, (select query from query),
         'StartSel=**, StopSel=**, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
     from page order by rank desc, kind, id`,
    [text, page.offset, page.limit],
  );
}
