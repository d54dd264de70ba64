import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { columnOf } from '../database/entity-metadata';
import { LIFECYCLE_TYPES, NODE_TYPES, type NodeType, tableOf } from '../lineage/node-types';
import { runPrepared } from '../sql/prepared-statement';
import type { Instant } from '../time/instant';
import { BOUND_INSTANT, boundInstantParams, currentStatusSql, derivedColumns } from './current-status';

/**
 * Time travel: a record as it stood at an instant. Records never change, so
 * what changes over time is derived — a status from the status-change events,
 * a position's quantity, cost and closing from its fills — and "as of" is the
 * same derivation (current-status.ts, position-lot.ts) counting only what had
 * happened by that instant, an event or fill at exactly that instant included.
 * Before the moment a record came to be (its lifecycle's `since`), it did not
 * exist: it is absent from lists and its status is null.
 */

const LIFECYCLE_OF = new Map(LIFECYCLE_TYPES.map(({ type, lifecycle }) => [type, lifecycle]));

/** The column a node type exists from, or null for a type without a lifecycle (it has no past states). */
export function sinceColumnOf(type: NodeType): string | null {
  const lifecycle = LIFECYCLE_OF.get(type);
  return lifecycle ? columnOf(NODE_TYPES[type].entity as EntityClass<object>, lifecycle.since as never) : null;
}

/** A findPage condition on alias `n`: the record existed at `instant`. */
export function existedAtCondition(type: NodeType, instant: Instant): { sql: string; params: unknown[] } {
  const since = sinceColumnOf(type);
  if (!since) throw new Error(`${type} has no lifecycle to travel in time`);
  return { sql: `n.${since} <= ${BOUND_INSTANT}`, params: [instant] };
}

/**
 * The derived columns of `table` on `alias` as of a bound instant, as one
 * select fragment and its parameters; null for a table without a lifecycle.
 */
export function derivedSelectAsOf(
  table: string,
  alias: string,
  instant: Instant,
): { sql: string; params: string[] } | null {
  const derived = derivedColumns(table, alias, BOUND_INSTANT);
  if (derived.length === 0) return null;
  const sql = derived.map(({ column, sql: derivation }) => `${derivation} as ${column}`).join(', ');
  return { sql, params: boundInstantParams(sql, instant) };
}

/**
 * The status of each `type` record in `ids` as it stood at `instant` — null
 * for one that did not exist yet (or is unknown) — in one statement: the
 * instant is bound once, and each record's status is one probe of the
 * status-change index (a position's also reads its fills by their index).
 */
export async function statusesAsOf(
  em: EntityManager,
  type: NodeType,
  ids: readonly string[],
  instant: Instant,
): Promise<Map<string, string | null>> {
  const since = sinceColumnOf(type);
  if (!since) throw new Error(`${type} has no lifecycle to travel in time`);
  const table = tableOf(type);
  const sql = `select t.id::text as id,
      case when t.${since} <= x.at then ${currentStatusSql(table, 't', 'x.at')} end as status
    from ${table} t, (select cast(? as timestamptz) as at) x
    where t.id = any(?)`;
  const { rows } = await runPrepared<{ id: string; status: string | null }>(em, sql, [instant, [...ids]]);
  return new Map(rows.map((row) => [row.id, row.status]));
}
