import { Migration } from '@mikro-orm/migrations';
import { EVENT_CONTENT_FUNCTION_SQL, LINEAGE_TABLES, legacyChainTriggersSql } from './legacy-chain-triggers';

/** Written by the integrator only, and only ever appended to. */
const MERKLE_TABLES = ['merkle_leaves', 'merkle_nodes', 'merkle_checkpoints', 'checkpoint_keys'];

/**
 * Writers never wait on the proof (issue 23). Until now every audit event
 * took a global advisory lock, held until commit, to be numbered and linked
 * to the one before it, and every statement writing lineage rows appended
 * `records_written` events hashing each row: one writer at a time, and a long
 * import stalled every producer. From here on the database only notes which
 * transaction wrote each row (`recorded_xid`, the top-level xid, by default
 * whoever writes), and the integrator, after commit, numbers committed rows
 * into the Merkle tree (merkle_leaves, merkle_nodes) and signs checkpoints.
 *
 * Adding `recorded_xid` with a volatile default rewrites every existing row
 * with this migration's xid: those rows are the legacy record (verify keeps
 * checking them against the chain, and knows them by that xid, the one of
 * the last chained event), and the first integration takes all of them.
 */
export class Migration20261201163050_writers_never_wait extends Migration {

  override async up(): Promise<void> {
    // By hand, first: the chain's content function holds audit_events' row type (created again below).
    this.addSql(`drop function auditgraph_event_content(audit_events);`);

    this.addSql(`create table "checkpoint_keys" ("verifier_key" text not null, "key_name" text not null, "first_tree_size" bigint not null, "added_at" timestamptz not null default now(), constraint "checkpoint_keys_pkey" primary key ("verifier_key"));`);

    this.addSql(`create table "merkle_checkpoints" ("tree_size" bigint not null, "root" bytea not null, "signed_at" timestamptz not null, "key_name" text not null, "note" text not null, constraint "merkle_checkpoints_pkey" primary key ("tree_size"));`);

    this.addSql(`create table "merkle_integration" ("singleton" boolean not null default true, "tree_size" bigint not null, "root" bytea not null, "snapshot" pg_snapshot not null, "integrated_at" timestamptz not null default now(), constraint "merkle_integration_pkey" primary key ("singleton"), constraint merkle_integration_one_row check (singleton = true));`);

    this.addSql(`create table "merkle_leaves" ("leaf_index" bigint not null, "source" text not null, "record_key" text not null, "leaf_hash" bytea not null, "integrated_at" timestamptz not null default now(), constraint "merkle_leaves_pkey" primary key ("leaf_index"));`);
    this.addSql(`alter table "merkle_leaves" add constraint "merkle_leaves_source_record_key_unique" unique ("source", "record_key");`);

    this.addSql(`create table "merkle_nodes" ("level" smallint not null, "node_index" bigint not null, "hash" bytea not null, constraint "merkle_nodes_pkey" primary key ("level", "node_index"));`);

    this.addSql(`alter table "audit_events" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    // Generated "alter column … type" statements of unchanged types removed: each would rewrite the table again.
    this.addSql(`alter table "audit_events" alter column "prev_hash" drop not null;`);
    this.addSql(`alter table "audit_events" alter column "hash" drop not null;`);
    // Numbered by a sequence from after the last chained event (setval of null, an empty table, leaves it at 1).
    // Gaps are possible from here on (a rolled-back insert keeps its number); order and uniqueness are what stay.
    this.addSql(`create sequence if not exists "audit_events_seq_seq" owned by "audit_events"."seq";`);
    this.addSql(`select setval('audit_events_seq_seq', (select max("seq") from "audit_events"));`);
    this.addSql(`alter table "audit_events" alter column "seq" set default nextval('audit_events_seq_seq');`);
    this.addSql(`create index "audit_events_recorded_xid_index" on "audit_events" ("recorded_xid");`);

    this.addSql(`alter table "data_ingestion_runs" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "data_ingestion_runs_recorded_xid_index" on "data_ingestion_runs" ("recorded_xid");`);

    this.addSql(`alter table "api_payloads" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "api_payloads_recorded_xid_index" on "api_payloads" ("recorded_xid");`);

    this.addSql(`alter table "positions" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "positions_recorded_xid_index" on "positions" ("recorded_xid");`);

    this.addSql(`alter table "query_audit_log" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "query_audit_log_recorded_xid_index" on "query_audit_log" ("recorded_xid");`);

    this.addSql(`alter table "trade_decisions" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "trade_decisions_recorded_xid_index" on "trade_decisions" ("recorded_xid");`);

    this.addSql(`alter table "decision_inputs" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "decision_inputs_recorded_xid_index" on "decision_inputs" ("recorded_xid");`);

    this.addSql(`alter table "trade_executions" add column "recorded_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "trade_executions_recorded_xid_index" on "trade_executions" ("recorded_xid");`);

    // Written by hand: what the entity metadata cannot say.
    // The chain's triggers retired (see the class comment). The hash functions
    // stay: verify recomputes the legacy chain with them.
    this.addSql(`drop trigger "audit_events_chain" on "audit_events";`);
    this.addSql(`drop function auditgraph_chain_event();`);
    for (const table of LINEAGE_TABLES) this.addSql(`drop trigger "${table}_recorded" on "${table}";`);
    this.addSql(`drop function auditgraph_record_written();`);
    this.addSql(EVENT_CONTENT_FUNCTION_SQL);
    // recorded_at: the chain trigger set it to now(); from here on the column's default (now()) does.

    // The tree and its checkpoints are append-only, as the record is.
    for (const table of MERKLE_TABLES) {
      this.addSql(`create trigger "${table}_append_only" before update or delete on "${table}" for each statement execute function auditgraph_refuse_change();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function auditgraph_refuse_change();`);
    }
    // The integrator's one row: updated by each batch, never deleted (a second
    // row is refused by its key, which can only be true). The empty tree to
    // start, with a snapshot (xmax 1) before every transaction, so that the
    // first batch takes every row.
    this.addSql(`create trigger "merkle_integration_no_delete" before delete on "merkle_integration" for each statement execute function auditgraph_refuse_change();`);
    this.addSql(`create trigger "merkle_integration_no_truncate" before truncate on "merkle_integration" for each statement execute function auditgraph_refuse_change();`);
    this.addSql(`insert into "merkle_integration" ("tree_size", "root", "snapshot") values (0, sha256(''::bytea), '1:1:');`);
  }

  override async down(): Promise<void> {
    // Back to the chain: only while every event still has its chain hash. An
    // event written since has none, and the chain cannot take it in without
    // rewriting the record; refused rather than half undone.
    this.addSql(`do $$ begin
      if exists (select 1 from audit_events where hash is null) then
        raise exception 'audit events were written without the chain since Migration20261201163050_writers_never_wait: it cannot be undone';
      end if;
    end $$;`);
    this.addSql(`drop function auditgraph_event_content(audit_events);`);
    for (const sql of legacyChainTriggersSql()) this.addSql(sql);

    this.addSql(`drop table if exists "checkpoint_keys" cascade;`);

    this.addSql(`drop table if exists "merkle_checkpoints" cascade;`);

    this.addSql(`drop table if exists "merkle_integration" cascade;`);

    this.addSql(`drop table if exists "merkle_leaves" cascade;`);

    this.addSql(`drop table if exists "merkle_nodes" cascade;`);

    this.addSql(`drop index "api_payloads_recorded_xid_index";`);
    this.addSql(`alter table "api_payloads" drop column "recorded_xid";`);

    this.addSql(`drop index "audit_events_recorded_xid_index";`);
    this.addSql(`alter table "audit_events" drop column "recorded_xid";`);

    this.addSql(`alter table "audit_events" alter column "prev_hash" set not null;`);
    this.addSql(`alter table "audit_events" alter column "hash" set not null;`);
    this.addSql(`alter table "audit_events" alter column "seq" drop default;`);
    this.addSql(`drop sequence "audit_events_seq_seq";`);
    this.addSql(EVENT_CONTENT_FUNCTION_SQL);

    this.addSql(`drop index "data_ingestion_runs_recorded_xid_index";`);
    this.addSql(`alter table "data_ingestion_runs" drop column "recorded_xid";`);

    this.addSql(`drop index "decision_inputs_recorded_xid_index";`);
    this.addSql(`alter table "decision_inputs" drop column "recorded_xid";`);

    this.addSql(`drop index "positions_recorded_xid_index";`);
    this.addSql(`alter table "positions" drop column "recorded_xid";`);

    this.addSql(`drop index "query_audit_log_recorded_xid_index";`);
    this.addSql(`alter table "query_audit_log" drop column "recorded_xid";`);

    this.addSql(`drop index "trade_decisions_recorded_xid_index";`);
    this.addSql(`alter table "trade_decisions" drop column "recorded_xid";`);

    this.addSql(`drop index "trade_executions_recorded_xid_index";`);
    this.addSql(`alter table "trade_executions" drop column "recorded_xid";`);
  }

}
