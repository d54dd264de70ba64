import { LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';

/**
 * The current_statuses projection (src/entities/current-status.entity.ts):
 * one row per lifecycle record but positions (whose fills also move them),
 * the latest status_changed event's `to` by seq, else the written status at
 * seq 0. The integrator keeps it as of its snapshot; a read of "now" adds
 * what was committed since (current-status.ts).
 */
export const PROJECTED_TABLES: readonly string[] = LIFECYCLE_TYPES.filter(({ type }) => type !== 'Position').map(
  ({ type }) => tableOf(type),
);

const tableList = () => PROJECTED_TABLES.map((table) => `'${table}'`).join(', ');

/**
 * The rows `condition` (SQL over alias `t`, e.g. the integrator's candidates)
 * selects, of the projected tables and of the status events about them, as
 * (subject_table, subject_id, status, seq) changes: a record at seq 0, an event at its seq.
 */
const changesSql = (condition: string) =>
  [
    ...PROJECTED_TABLES.map(
      (table) =>
        `select '${table}'::text as subject_table, t.id as subject_id, t.status::text as status, 0::bigint as seq
           from ${table} t where ${condition}`,
    ),
    `select t.subject_table::text, t.subject_id, t.event_data ->> 'to', t.seq from audit_events t
      where ${condition} and t.event = 'status_changed' and t.subject_id is not null
        and t.subject_table in (${tableList()})`,
  ].join(' union all ');

/**
 * Folds the changes `condition` selects into the projection: per record the
 * latest by seq, and a stored row only moves to a later seq (a change
 * committed after a later one, by a concurrent writer, loses to it).
 */
export const foldChangesSql = (condition: string) => `
  insert into current_statuses as c (subject_table, subject_id, status, seq)
  select distinct on (subject_table, subject_id) subject_table, subject_id, status, seq
    from (${changesSql(condition)}) changes
   order by subject_table, subject_id, seq desc
  on conflict (subject_table, subject_id) do update set status = excluded.status, seq = excluded.seq
   where excluded.seq > c.seq`;

/** The projection rebuilt from every record and event this transaction sees (restore, after its rows). */
export const REBUILD_CURRENT_STATUSES = [`delete from current_statuses`, foldChangesSql('true')];

/**
 * Every record of `table` the snapshot `$1` (merkle_integration's, text) sees
 * whose projected row disagrees with the derivation from the events that
 * snapshot sees, or is missing: records and events committed since are the
 * reads' to add, not the projection's to hold. At most `$2`, by id.
 */
export const projectionMismatchSql = (table: string) => `
  select t.id::text as id,
         coalesce((select s.event_data ->> 'to' from audit_events s
                    where s.event = 'status_changed' and s.subject_table = '${table}' and s.subject_id = t.id
                      and pg_visible_in_snapshot(s.recorded_xid, $1::pg_snapshot)
                    order by s.seq desc limit 1), t.status::text) as expected,
         c.status as projected
    from ${table} t left join current_statuses c on c.subject_table = '${table}' and c.subject_id = t.id
   where pg_visible_in_snapshot(t.recorded_xid, $1::pg_snapshot)
     and c.status is distinct from coalesce((select s.event_data ->> 'to' from audit_events s
                    where s.event = 'status_changed' and s.subject_table = '${table}' and s.subject_id = t.id
                      and pg_visible_in_snapshot(s.recorded_xid, $1::pg_snapshot)
                    order by s.seq desc limit 1), t.status::text)
   order by t.id limit $2`;
