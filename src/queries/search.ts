import type { EntityManager } from '@mikro-orm/postgresql';
import { SEARCH_VECTORS } from '../sql/search-vectors';

export type SearchKind = 'PAYLOAD' | 'DECISION' | 'EXECUTION';
export type SearchHit = { kind: SearchKind; id: string; rank: number; snippet: string };
/** A hit a page starts after or ends before. */
export type SearchHitKey = { kind: SearchKind; id: string };

/**
 * Per kind: the table, its indexed text, the text shown around a match, and
 * its place among hits of equal rank (decisions, executions, payloads).
 */
const SOURCES: Record<SearchKind, { table: keyof typeof SEARCH_VECTORS; document: string; order: number }> = {
  DECISION: {
    table: 'trade_decisions',
    document: `strategy || ' ' || symbol || ' ' || coalesce(decision_rationale::text, '')`,
    order: 1,
  },
  EXECUTION: { table: 'trade_executions', document: `coalesce(error_message, '')`, order: 2 },
  PAYLOAD: { table: 'api_payloads', document: `endpoint || ' ' || coalesce(payload::text, '')`, order: 3 },
};

/**
 * One page of hits: up to `limit` of them in page order, after or before a
 * hit. Backward pages (`forward: false`) come nearest-first, as every
 * connection's do.
 */
/** The caller's text as a query, once per statement (`query` in the statement's SQL). */
const QUERY = `query as (select websearch_to_tsquery('english', ?) as query)`;
/** A row of `table` matches the query: through its GIN expression index. */
const matches = (table: keyof typeof SEARCH_VECTORS) => `${SEARCH_VECTORS[table]} @@ query`;

export type SearchPage = { forward: boolean; limit: number; after: SearchHitKey | null; before: SearchHitKey | null };

/**
 * Full-text search across the chosen kinds in one statement. Plain user text
 * goes through `websearch_to_tsquery`, which accepts any punctuation; each
 * kind matches through its GIN expression index and is ranked with
 * `ts_rank`. Hits are in one total order — rank highest first, then kind,
 * then id as a number — and pages are keyset on it: the bound hit's rank is
 * recomputed from its kind and id, so every hit is reached exactly once
 * however deep the page, and no hit count is capped. Only the page's hits
 * get a `ts_headline` snippet (it re-parses the document, so it is the
 * expensive part).
 */
export async function searchLineage(
  em: EntityManager,
  text: string,
  kinds: SearchKind[],
  page: SearchPage,
): Promise<SearchHit[]> {
  // Ordering by (-rank, kind order, id) ascending is the display order, so one row comparison serves both bounds.
  const bound = ({ kind }: SearchHitKey, operator: '>' | '<') => {
    const { table, order } = SOURCES[kind];
    return `and (-m.rank, m.kind_order, m.id) ${operator}
               (select -ts_rank(${SEARCH_VECTORS[table]}, query), ${order}, b.id
                  from ${table} b, query where b.id = ?)`;
  };
  const bounds = [page.after && bound(page.after, '>'), page.before && bound(page.before, '<')]
    .filter(Boolean)
    .join(' ');
  const boundIds = [page.after?.id, page.before?.id].filter((id) => id !== undefined);
  const [rankOrder, idOrder] = page.forward ? ['desc', 'asc'] : ['asc', 'desc'];
  const branches = kinds.map((kind) => {
    const { table, order } = SOURCES[kind];
    // `offset 0` keeps the ranking in its own plan node, so ts_rank runs once per match, not again in the bound.
    return `(select * from (select '${kind}'::text as kind, ${order} as kind_order, t.id,
                                ts_rank(${SEARCH_VECTORS[table]}, query) as rank
         from ${table} t, query where ${matches(table)} offset 0) m
       where true ${bounds}
       order by m.rank ${rankOrder}, m.id ${idOrder} limit ${page.limit})`;
  });
  const documents = kinds.map((kind) => {
    const { table, document } = SOURCES[kind];
    return `select ${document} as document from ${table} where page.kind = '${kind}' and ${table}.id = page.id`;
  });
  const order = (alias: string) => `${alias}.rank ${rankOrder}, ${alias}.kind_order ${idOrder}, ${alias}.id ${idOrder}`;
  return em.getConnection().execute<SearchHit[]>(
    `with ${QUERY},
     page as (select * from (${branches.join(' union all ')}) hits order by ${order('hits')} limit ${page.limit})
     select page.kind, page.id::text as id, page.rank::float8 as rank,
       ts_headline('english', d.document, (select query from query),
         'StartSel=**, StopSel=**, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
     from page cross join lateral (${documents.join(' union all ')}) d
     order by ${order('page')}`,
    // Every branch has the bounds' placeholders: their ids once per kind.
    [text, ...kinds.flatMap(() => boundIds)],
  );
}

/**
 * The number of hits across the chosen kinds, whatever the page: one
 * statement, each kind counted through its GIN expression index.
 */
export async function countSearchHits(em: EntityManager, text: string, kinds: SearchKind[]): Promise<number> {
  const counts = kinds.map((kind) => {
    const { table } = SOURCES[kind];
    return `(select count(*) from ${table} t, query where ${matches(table)})`;
  });
  const [row] = await em
    .getConnection()
    .execute<{ total: string }[]>(`with ${QUERY} select ${counts.join(' + ')} as total`, [text]);
  return Number(row!.total);
}
