import { initialOnlyStatuses, LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';
import { positionDerivedSelects, positionStatusSql } from '../sql/position-lot';
import { PROJECTED_TABLES } from './current-status-projection';

/**
 * Records are never updated, so a lifecycle change (a decision executed, an
 * execution filled, a run finished, a position closed) is an appended
 * `status_changed` event whose `event_data.to` is the new status. The status
 * a query shows is the latest such event's, else the one the row was
 * written with. This is the one place that derivation is written in SQL.
 */
const STATUS_TABLES = new Set<string>(LIFECYCLE_TYPES.map(({ type }) => tableOf(type)));
/** A position's status also follows from its fills. */
const POSITIONS = tableOf('Position');
/**
 * Per projected table, the statuses a record is in only while no change was
 * appended (see initialOnlyStatuses): the ones the projection answers.
 */
const INITIAL_ONLY = new Map<string, ReadonlySet<string>>(
  LIFECYCLE_TYPES.filter(({ type }) => PROJECTED_TABLES.includes(tableOf(type))).map(({ type, lifecycle }) => [
    tableOf(type),
    initialOnlyStatuses(lifecycle),
  ]),
);

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

/** The integrator's last snapshot, as of which current_statuses holds (current-status-projection.ts). */
const PROJECTION_SNAPSHOT = '(select m.snapshot from merkle_integration m)';

/**
 * Row `alias` was committed after the projection's snapshot: by a transaction
 * that snapshot does not see (the test verify's integration bound makes),
 * through the recorded_xid index — only the rows since are read.
 */
export const sinceProjectionSql = (alias: string) =>
  `(${alias}.recorded_xid >= pg_snapshot_xmin(${PROJECTION_SNAPSHOT}) and not pg_visible_in_snapshot(${alias}.recorded_xid, ${PROJECTION_SNAPSHOT}))`;

/** Status events about rows of `table` committed since the projection's snapshot (alias `d`). */
const statusEventsSinceSql = (table: string) =>
  `select d.subject_id from audit_events d
    where d.event = 'status_changed' and d.subject_table = '${table}' and ${sinceProjectionSql('d')}`;

/**
 * The current status of row `alias` is one of `statuses` (non-empty), as a
 * condition with bound values. For a table current_statuses projects, in two
 * parts that together are exactly the derivation from the events: the
 * projection's rows in one of `statuses` (its `(subject_table, status,
 * subject_id)` index) whose record no status event has been committed about
 * since its snapshot; and the few records that one has been, or that were
 * themselves committed since, by the derivation (currentStatusSql). A record
 * the integrator has seen and nothing has changed since is answered by the
 * projection alone; with the integrator stopped or behind, the second part
 * grows and stays right. "How many decisions pending now" went from a hash
 * anti-join of every decision against every change (136–197 ms at scale 10)
 * to an index range. Only for initial-only statuses (pending, running): a
 * status reached by a change (filled, rejected) is most of a table, and the
 * questions that ask for one narrow by something else first (a position's
 * executions, an error text), where the projection's whole range hashed
 * against them was 2–20× slower at scale 10 (BENCHMARKS.md) than comparing the
 * narrowed rows one by one, which such a status is. A position's status also
 * follows from its fills: compared row by row.
 */
export function currentStatusIn(
  table: string,
  alias: string,
  statuses: readonly unknown[],
): { sql: string; params: unknown[] } {
  const placeholders = statuses.map(() => '?').join(', ');
  const initialOnly = INITIAL_ONLY.get(table);
  if (!initialOnly || !statuses.every((status) => initialOnly.has(status as string)))
    return { sql: `${currentStatusSql(table, alias)} in (${placeholders})`, params: [...statuses] };
  const projected = `select c.subject_id from current_statuses c
    where c.subject_table = '${table}' and c.status in (${placeholders})
      and not exists (${statusEventsSinceSql(table)} and d.subject_id = c.subject_id)`;
  // A semi-join, not `= any(array(…))`: with the integrator far behind, "since" is most of the table, and
  // an array compared row by row would be quadratic.
  const since = `select r.id from ${table} r
    where r.id in (${statusEventsSinceSql(table)} union all select r2.id from ${table} r2 where ${sinceProjectionSql('r2')})
      and ${currentStatusSql(table, 'r')} in (${placeholders})`;
  return {
    sql: `${alias}.id in (${projected} union all ${since})`,
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
 * Row `alias` was written with `status` and no status event has been
 * appended about it since: for a table current_statuses projects, its rows at
 * seq 0 in that status that nothing was committed about since its snapshot
 * (the projection's index), and the records committed since that no event is
 * about — not a change lookup per row written with `status`.
 */
export function unchangedInStatusSql(table: string, alias: string, status: string): string {
  if (!PROJECTED_TABLES.includes(table))
    return `(${alias}.status = '${status}' and ${unchangedStatusSql(table, alias)})`;
  return `${alias}.id in (select c.subject_id from current_statuses c
      where c.subject_table = '${table}' and c.status = '${status}' and c.seq = 0
        and not exists (${statusEventsSinceSql(table)} and d.subject_id = c.subject_id)
    union all select r.id from ${table} r
      where ${sinceProjectionSql('r')} and r.status = '${status}' and ${unchangedStatusSql(table, 'r')})`;
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
