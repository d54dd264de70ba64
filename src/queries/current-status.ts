import { initialOnlyStatuses, LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';
import { positionDerivedSelects, positionStatusSql } from '../sql/position-lot';

/**
 * Records are never updated, so a lifecycle change (a decision executed, an
 * execution filled, a run finished, a position closed) is an appended
 * `status_changed` event whose `event_data.to` is the new status. The status
 * a query shows is the latest such event's, else the one the row was
 * written with. This is the one place that derivation is written in SQL.
 */
const STATUS_TABLES = new Set<string>(LIFECYCLE_TYPES.map(({ type }) => tableOf(type)));
/**
 * Per table, the statuses a row is in exactly while no change was appended
 * (see initialOnlyStatuses). Not a position's: its fills also move it.
 */
const INITIAL_ONLY = new Map<string, ReadonlySet<string>>(
  LIFECYCLE_TYPES.filter(({ type }) => type !== 'Position').map(({ type, lifecycle }) => [
    tableOf(type),
    initialOnlyStatuses(lifecycle),
  ]),
);
/** A position's status also follows from its fills. */
const POSITIONS = tableOf('Position');

/** Column name read models take the derived status from (see readModelOf). */
export const CURRENT_STATUS = 'current_status';

/**
 * The `to` of the latest status-change event about row `alias` of `table`:
 * one probe of the status-change index. As of instant `at` (an SQL
 * expression; null for now), only events that had occurred by then count —
 * one at exactly `at` included — and among them the latest appended.
 */
const latestStatusEventSql = (
  table: string,
  alias: string,
  at: string | null,
) => `(select s.event_data ->> 'to' from audit_events s
    where s.event = 'status_changed' and s.subject_table = '${table}' and s.subject_id = ${alias}.id${
      at === null ? '' : ` and s.occurred_at <= ${at}`
    }
    order by s.seq desc limit 1)`;

/**
 * The current status of row `alias` of `table`; a position's also follows from its fills (see position-lot.ts).
 * With `at` (an SQL expression of a timestamptz), the status as it stood at that instant, from the same derivation.
 */
export function currentStatusSql(table: string, alias: string, at: string | null = null): string {
  const latestEvent = latestStatusEventSql(table, alias, at);
  return table === POSITIONS ? positionStatusSql(alias, latestEvent, at) : `coalesce(${latestEvent}, ${alias}.status)`;
}

/**
 * Every column a read model of `table` takes from a derivation instead of the
 * row as written: `column` (selected) replaces `property`. With `at`, as they
 * stood at that instant.
 */
export function derivedColumns(
  table: string,
  alias: string,
  at: string | null = null,
): { column: string; property: string; sql: string }[] {
  if (!STATUS_TABLES.has(table)) return [];
  const status = { column: CURRENT_STATUS, property: 'status', sql: currentStatusSql(table, alias, at) };
  return table === POSITIONS ? [status, ...positionDerivedSelects(alias, at)] : [status];
}

/**
 * `<current status> as current_status` (and a position's other derived
 * columns), or null for a table without a lifecycle. With `at`, as they stood then.
 */
export function currentStatusSelect(table: string, alias: string, at: string | null = null): string | null {
  const derived = derivedColumns(table, alias, at);
  return derived.length > 0 ? derived.map(({ column, sql }) => `${sql} as ${column}`).join(', ') : null;
}

/**
 * The placeholder a derivation as of a bound instant is written with, and the
 * parameters it then takes: the instant once per use (a derivation reads it
 * in several sub-selects; the driver's `?` are positional).
 */
export const BOUND_INSTANT = 'cast(? as timestamptz)';
export const boundInstantParams = (sql: string, instant: string): string[] =>
  Array.from({ length: sql.split(BOUND_INSTANT).length - 1 }, () => instant);

/** The same, to append to a select list: `, … as current_status` or nothing. */
export function currentStatusColumn(table: string, alias: string): string {
  const select = currentStatusSelect(table, alias);
  return select ? `, ${select}` : '';
}

/**
 * The current status of row `alias` is one of `statuses` (non-empty), as a
 * condition with bound values. Where every status asked for is initial-only
 * (no transition leads to it), the row is either still as written — its
 * status index narrows the rows and the change lookup is hashed once — or a
 * producer appended a change to it anyway, which is rare: their ids are read
 * once into an array the primary key serves. Both arms are index scans
 * (a BitmapOr) where rows are written with their outcome: "how many decisions
 * are pending" on 100,000 of them went from 859 ms, a change lookup per row,
 * to 6 ms. Where every record is written in its first status and moved on by
 * events (as the generator now writes them), the written status narrows
 * nothing and the count is a scan against the hashed changes (136 ms at
 * scale 10, BENCHMARKS.md): indexing the current status itself is what would
 * make it fast. Any other status is compared row by row.
 */
export function currentStatusIn(
  table: string,
  alias: string,
  statuses: readonly unknown[],
): { sql: string; params: unknown[] } {
  const placeholders = statuses.map(() => '?').join(', ');
  const initialOnly = INITIAL_ONLY.get(table);
  if (!initialOnly || !statuses.every((status) => initialOnly.has(status as string))) {
    return { sql: `${currentStatusSql(table, alias)} in (${placeholders})`, params: [...statuses] };
  }
  const changedTo = `select s.subject_id from audit_events s
    where s.event = 'status_changed' and s.subject_table = '${table}' and s.event_data ->> 'to' in (${placeholders})
      and not exists (select 1 from audit_events later
        where later.event = 'status_changed' and later.subject_table = '${table}'
          and later.subject_id = s.subject_id and later.seq > s.seq)`;
  return {
    sql:
      `((${alias}.status in (${placeholders}) and ${unchangedStatusSql(table, alias)})` +
      ` or ${alias}.id = any(array(${changedTo})))`,
    params: [...statuses, ...statuses],
  };
}

/** A list filter on the current status, as a findPage condition on alias `n`. */
export function currentStatusConditions(
  table: string,
  status: string | null | undefined,
): { sql: string; params: unknown[] }[] {
  return status == null ? [] : [currentStatusIn(table, 'n', [status])];
}

/**
 * The row has not changed status since it was written. Statuses only move
 * forward (pending is never reached by a change), so `status = 'pending' and
 * unchanged` is "still pending" — and keeps the `(status, …)` index in play.
 */
export function unchangedStatusSql(table: string, alias: string): string {
  return `not exists (select 1 from audit_events s
    where s.event = 'status_changed' and s.subject_table = '${table}' and s.subject_id = ${alias}.id)`;
}

/**
 * Rows of `table` whose current status is `status`, for a terminal status (one
 * nothing follows): written with it, or changed to it since. Index-friendly
 * where `currentStatusSql(…) = status` would probe every row of a range.
 */
export function hasTerminalStatusSql(table: string, alias: string, status: string): string {
  return `(${alias}.status = '${status}' or ${alias}.id = any(array(select s.subject_id from audit_events s
    where s.event = 'status_changed' and s.subject_table = '${table}' and s.event_data ->> 'to' = '${status}')))`;
}
