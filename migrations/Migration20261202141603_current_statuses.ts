import { Migration } from '@mikro-orm/migrations';

const VISIBLE = 'pg_visible_in_snapshot(t.recorded_xid, (select m.snapshot from merkle_integration m))';
const RECORDS = ['data_ingestion_runs', 'trade_decisions', 'trade_executions'];

/**
 * The current status of every lifecycle record but positions, as of the
 * integrator's snapshot (issue 18, "pending now" through an index): kept by
 * the integrator from here on, off the writers' path. Filled here with what
 * the integrator's last snapshot covers, as a batch would have (the latest
 * status_changed event by seq, else the written status at seq 0); reads add
 * what was committed since.
 */
export class Migration20261202141603_current_statuses extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "current_statuses" ("subject_table" text not null, "subject_id" bigint not null, "status" text not null, "seq" bigint not null, constraint "current_statuses_pkey" primary key ("subject_table", "subject_id"));`);
    this.addSql(`create index "current_statuses_status_index" on "current_statuses" ("subject_table", "status", "subject_id");`);
    // Written by hand: the fill (the integrator's fold, src/queries/current-status-projection.ts, as of today).
    this.addSql(`insert into current_statuses (subject_table, subject_id, status, seq)
      select distinct on (subject_table, subject_id) subject_table, subject_id, status, seq from (
        ${RECORDS.map((table) => `select '${table}'::text as subject_table, t.id as subject_id, t.status::text as status, 0::bigint as seq from ${table} t where ${VISIBLE}`).join(' union all ')}
        union all select t.subject_table::text, t.subject_id, t.event_data ->> 'to', t.seq from audit_events t
         where ${VISIBLE} and t.event = 'status_changed' and t.subject_id is not null
           and t.subject_table in (${RECORDS.map((table) => `'${table}'`).join(', ')})) changes
       order by subject_table, subject_id, seq desc;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "current_statuses" cascade;`);
  }

}
