import { initialOnlyStatuses, LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';
import { unchangedInStatusSql } from './current-status';

/**
 * The integrity audit's conditions on one record, written once: the
 * quarterly report (src/reports/integrity.report.ts) flags the records they
 * hold for, and the lists' `where:` offers them as filters
 * (where-predicates.ts), so a filter finds exactly what the report counts.
 * Each is SQL on row `alias`, true or false, never null.
 */

/** The execution has no broker request (or response) payload recorded. */
export const missingPayloadSql = (alias: string, direction: 'request' | 'response') =>
  `${alias}.api_${direction}_payload_id is null`;

/** Either payload is missing: the form the partial index trade_executions_missing_payload_index holds. */
export const missingEitherPayloadSql = (alias: string) =>
  `(${missingPayloadSql(alias, 'request')} or ${missingPayloadSql(alias, 'response')})`;

/** The decision was recorded without a rationale: null or `{}` (the partial index ..._missing_rationale_index). */
export const emptyRationaleSql = (alias: string) =>
  `(${alias}.decision_rationale is null or ${alias}.decision_rationale = '{}'::jsonb)`;

/**
 * The decision was carried out by more than one fill. The two legs of one
 * fill split at zero (one broker report, one response payload) count once:
 * executions are told apart by their response payload, else by their own id.
 */
export const multipleExecutionsSql = (alias: string) =>
  `((select count(distinct coalesce(e.api_response_payload_id, -e.id))
       from trade_executions e where e.trade_decision_id = ${alias}.id) > 1)`;

/**
 * The decisions with more than one execution and how many (`trade_decision_id`,
 * `n`): counted straight off the foreign-key index in one pass, the few
 * candidates multipleExecutionsSql then decides on.
 */
export const severalExecutionsSql = `select trade_decision_id, count(*) as n from trade_executions
   where trade_decision_id is not null group by trade_decision_id having count(*) > 1`;

/**
 * multipleExecutionsSql as a filter: one pass over the executions picks the
 * candidates, as an array computed once (an init plan) that the primary key
 * is probed with, so a list never probes the executions once per decision it
 * reads. (`in (subquery)` would be planned as a join, and the planner,
 * guessing a third of all decisions pass `having`, runs the exact count on
 * every decision first.)
 */
export const multipleExecutionsFilterSql = (alias: string) =>
  `(${alias}.id = any(array(select several.trade_decision_id from (${severalExecutionsSql}) several))
    and ${multipleExecutionsSql(alias)})`;

/**
 * The status a record of `table` is written with, before any change: the
 * lifecycle's one status no transition leads to (pending, submitted, …).
 */
export function initialStatusOf(table: string): string {
  const lifecycle = LIFECYCLE_TYPES.find(({ type }) => tableOf(type) === table)?.lifecycle;
  if (!lifecycle) throw new Error(`${table} has no lifecycle`);
  const [initial, ...others] = initialOnlyStatuses(lifecycle);
  if (!initial || others.length > 0) throw new Error(`${table}'s lifecycle has no one initial status`);
  return initial;
}

/**
 * Still pending: written with the lifecycle's initial status and never
 * changed since. Statuses only move forward, so this is "still pending" —
 * through current_statuses' index where it holds the table.
 */
export const stillPendingSql = (table: string, alias: string) =>
  unchangedInStatusSql(table, alias, initialStatusOf(table));

/** Still pending, and made before `cutoff` (SQL: a bound value or an expression). */
export const stalePendingSql = (table: string, alias: string, cutoff: string) =>
  `(${stillPendingSql(table, alias)} and ${alias}.created_at < ${cutoff})`;
