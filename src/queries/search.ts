import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { columnOf } from '../database/entity-metadata';
import { ApiPayload, AuditEvent, TradeDecision, TradeExecution } from '../entities';
import { NODE_TYPE_NAMES, tableOf } from '../lineage/node-types';
import { SEARCH_VECTORS } from '../sql/search-vectors';
import { whereConditionOf } from './find-page';
import { readModels } from './read-model';
import type { WhereTree } from './where-conditions';

export const SEARCH_KINDS = ['PAYLOAD', 'DECISION', 'EXECUTION', 'AUDIT_EVENT'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];
/** A hit; an audit event's also names the lineage record it is about (`subjectTable`, `subjectId`). */
export type SearchHit = {
  kind: SearchKind;
  id: string;
  rank: number;
  snippet: string;
  subjectTable: string | null;
  subjectId: string | null;
};
/** A hit a page starts after or ends before. */
export type SearchHitKey = { kind: SearchKind; id: string };
type Condition = { sql: string; params: unknown[] };
/** Per kind, the condition of its `where:` on alias `n` (see narrowSearch). */
export type SearchNarrowing = Partial<Record<SearchKind, Condition>>;

/**
 * Audit events that are hits: those about a lineage record, the node a hit
 * leads to (the others — the legacy chain's records_written bookkeeping, NAV
 * snapshots, errors naming no recorded order — are in `auditEvents`).
 */
const NODE_EVENTS = `n.subject_id is not null and n.subject_table in (${NODE_TYPE_NAMES.map((type) => `'${tableOf(type)}'`).join(', ')})`;

/**
 * Per kind: the entity, its table and indexed text, the text shown around a
 * match, its place among hits of equal rank (decisions, executions,
 * payloads, events), the rows that can be hits, and what a hit leads to.
 */
const SOURCES: Record<
  SearchKind,
  {
    entity: EntityClass<unknown>;
    table: keyof typeof SEARCH_VECTORS;
    document: string;
    order: number;
    where?: string;
    subject?: { table: string; id: string };
  }
> = {
  DECISION: {
    entity: TradeDecision,
    table: 'trade_decisions',
    document: `strategy || ' ' || symbol || ' ' || coalesce(decision_rationale::text, '')`,
    order: 1,
  },
  EXECUTION: { entity: TradeExecution, table: 'trade_executions', document: `coalesce(error_message, '')`, order: 2 },
  PAYLOAD: {
    entity: ApiPayload,
    table: 'api_payloads',
    document: `endpoint || ' ' || coalesce(payload::text, '')`,
    order: 3,
  },
  AUDIT_EVENT: {
    entity: AuditEvent,
    table: 'audit_events',
    document: `event || ' ' || actor || ' ' || event_data::text`,
    order: 4,
    where: NODE_EVENTS,
    subject: { table: 'subject_table', id: 'subject_id::text' },
  },
};

/** The row id of a kind's table (an audit event's is `seq`), from the entity's metadata. */
const idColumnOf = (kind: SearchKind) => columnOf(SOURCES[kind].entity as EntityClass<{ id: string }>, 'id');

/** The caller's text as a query, once per statement (`query` in the statement's SQL). */
const QUERY = `query as (select websearch_to_tsquery('english', ?) as query)`;

/**
 * The rows of a kind that match, on alias `n` (through its GIN expression
 * index), with its `where:` condition; `params` are that condition's values.
 */
function matchesOf(kind: SearchKind, narrowing: SearchNarrowing): Condition {
  const { table, where } = SOURCES[kind];
  const parts = [`${SEARCH_VECTORS[table]} @@ query`, where, narrowing[kind]?.sql].filter(Boolean);
  return { sql: parts.map((part) => `(${part})`).join(' and '), params: narrowing[kind]?.params ?? [] };
}

/**
 * Each kind's `where:` tree compiled, as the list of that type compiles it
 * (the same compiler and fields, JSON paths checked), for alias `n`.
 */
export async function narrowSearch(
  em: EntityManager,
  where: Partial<Record<SearchKind, WhereTree | null>>,
  argumentOf: (kind: SearchKind) => string,
): Promise<SearchNarrowing> {
  const narrowing: SearchNarrowing = {};
  for (const kind of SEARCH_KINDS) {
    const condition = await whereConditionOf(em, SOURCES[kind].entity, where[kind], argumentOf(kind));
    if (condition) narrowing[kind] = condition;
  }
  return narrowing;
}

export type SearchPage = { forward: boolean; limit: number; after: SearchHitKey | null; before: SearchHitKey | null };

/**
 * Full-text search across the chosen kinds in one statement. Plain user text
 * goes through `websearch_to_tsquery`, which accepts any punctuation; each
 * kind matches through its GIN expression index, narrowed by its `where:`,
 * and is ranked with `ts_rank`. Hits are in one total order — rank highest
 * first, then kind, then id as a number — and pages are keyset on it: the
 * bound hit's rank is recomputed from its kind and id, so every hit is
 * reached exactly once however deep the page, and no hit count is capped.
 * Only the page's hits get a `ts_headline` snippet (it re-parses the
 * document, so it is the expensive part). Backward pages (`forward: false`)
 * come nearest-first, as every connection's do.
 */
export async function searchLineage(
  em: EntityManager,
  text: string,
  kinds: readonly SearchKind[],
  page: SearchPage,
  narrowing: SearchNarrowing = {},
): Promise<SearchHit[]> {
  // Ordering by (-rank, kind order, id) ascending is the display order, so one row comparison serves both bounds.
  const bound = ({ kind }: SearchHitKey, operator: '>' | '<') => {
    const { table, order } = SOURCES[kind];
    return `and (-m.rank, m.kind_order, m.id) ${operator}
               (select -ts_rank(${SEARCH_VECTORS[table]}, query), ${order}, b.${idColumnOf(kind)}
                  from ${table} b, query where b.${idColumnOf(kind)} = ?)`;
  };
  const bounds = [page.after && bound(page.after, '>'), page.before && bound(page.before, '<')]
    .filter(Boolean)
    .join(' ');
  const boundIds = [page.after?.id, page.before?.id].filter((id) => id !== undefined);
  const [rankOrder, idOrder] = page.forward ? ['desc', 'asc'] : ['asc', 'desc'];
  const branches = kinds.map((kind) => {
    const { table, order } = SOURCES[kind];
    // `offset 0` keeps the ranking in its own plan node, so ts_rank runs once per match, not again in the bound.
    return `(select * from (select '${kind}'::text as kind, ${order} as kind_order, n.${idColumnOf(kind)} as id,
                                ts_rank(${SEARCH_VECTORS[table]}, query) as rank
         from ${table} n, query where ${matchesOf(kind, narrowing).sql} offset 0) m
       where true ${bounds}
       order by m.rank ${rankOrder}, m.id ${idOrder} limit ${page.limit})`;
  });
  const documents = kinds.map((kind) => {
    const { table, document, subject } = SOURCES[kind];
    const [subjectTable, subjectId] = subject ? [subject.table, subject.id] : ['null', 'null'];
    return `select ${document} as document, ${subjectTable}::text as subject_table, ${subjectId}::text as subject_id
      from ${table} where page.kind = '${kind}' and ${table}.${idColumnOf(kind)} = page.id`;
  });
  const order = (alias: string) => `${alias}.rank ${rankOrder}, ${alias}.kind_order ${idOrder}, ${alias}.id ${idOrder}`;
  return em.getConnection().execute<SearchHit[]>(
    `with ${QUERY},
     page as (select * from (${branches.join(' union all ')}) hits order by ${order('hits')} limit ${page.limit})
     select page.kind, page.id::text as id, page.rank::float8 as rank,
       d.subject_table as "subjectTable", d.subject_id as "subjectId",
       ts_headline('english', d.document, (select query from query),
         'StartSel=**, StopSel=**, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
     from page cross join lateral (${documents.join(' union all ')}) d
     order by ${order('page')}`,
    // Every branch has its where's values, then the bounds' placeholders: their ids once per kind.
    [text, ...kinds.flatMap((kind) => [...matchesOf(kind, narrowing).params, ...boundIds])],
  );
}

/**
 * The number of hits across the chosen kinds, whatever the page: one
 * statement, each kind counted through its GIN expression index under the
 * same conditions as its hits.
 */
export async function countSearchHits(
  em: EntityManager,
  text: string,
  kinds: readonly SearchKind[],
  narrowing: SearchNarrowing = {},
): Promise<number> {
  const counts = kinds.map(
    (kind) => `(select count(*) from ${SOURCES[kind].table} n, query
      where ${matchesOf(kind, narrowing).sql})`,
  );
  const [row] = await em
    .getConnection()
    .execute<{ total: string }[]>(`with ${QUERY} select ${counts.join(' + ')} as total`, [
      text,
      ...kinds.flatMap((kind) => matchesOf(kind, narrowing).params),
    ]);
  return Number(row!.total);
}

/** The audit events of a page's AUDIT_EVENT hits, by seq, in one statement. */
export async function auditEventsOf(em: EntityManager, seqs: readonly string[]): Promise<Map<string, AuditEvent>> {
  if (seqs.length === 0) return new Map();
  const events = await readModels(em, AuditEvent, (qb) => qb.where({ id: { $in: [...seqs] } }));
  return new Map(events.map((event) => [event.id, event]));
}
