import { Migration } from '@mikro-orm/migrations';

const LINEAGE_TABLES = ['data_ingestion_runs', 'api_payloads', 'trade_decisions', 'decision_inputs', 'positions', 'trade_executions'];
/** pg_advisory_xact_lock key of the audit_events chain (any constant; this one spells "chain"). */
const CHAIN_LOCK = 0x636861696e;

export class Migration20261123155203_immutable_record extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_events" ("seq" bigint not null, "log_type" text check ("log_type" in ('TRADE', 'RISK', 'SYSTEM', 'NAV', 'COMPLIANCE')) not null, "event" text not null, "event_data" jsonb not null default '{}', "subject_table" text check ("subject_table" in ('data_ingestion_runs', 'api_payloads', 'trade_decisions', 'decision_inputs', 'positions', 'trade_executions')) null, "subject_id" bigint null, "external_id" text null, "actor" text not null, "occurred_at" timestamptz not null, "recorded_at" timestamptz not null default now(), "record_ids" bigint[] null, "record_hashes" bytea[] null, "prev_hash" bytea not null, "hash" bytea not null, constraint "audit_events_pkey" primary key ("seq"), constraint audit_events_event_length check ((length(event) >= 1) AND (length(event) <= 200)), constraint audit_events_subject_has_table check (subject_id is null or subject_table is not null));`);
    this.addSql(`alter table "audit_events" add constraint "audit_events_external_id_unique" unique ("external_id");`);
    this.addSql(`alter table "audit_events" add constraint "audit_events_prev_hash_unique" unique ("prev_hash");`);
    this.addSql(`create index "audit_events_status_change_index" on "audit_events" ("subject_table", "subject_id", "seq" desc) include ("event_data") where event = 'status_changed';`);
    this.addSql(`create index "audit_events_event_data_gin" on "audit_events" using gin ("event_data");`);
    this.addSql(`create index "audit_events_subject_table_subject_id_seq_index" on "audit_events" ("subject_table", "subject_id", "seq");`);
    this.addSql(`create index "audit_events_log_type_occurred_at_index" on "audit_events" ("log_type", "occurred_at");`);
    this.addSql(`create index "audit_events_occurred_at_seq_index" on "audit_events" ("occurred_at", "seq");`);

    this.addSql(`create table "api_payload_tombstones" ("api_payload_id" bigint not null, "body_hash" bytea not null, "body_bytes" int not null, "purged_at" timestamptz not null default now(), constraint "api_payload_tombstones_pkey" primary key ("api_payload_id"));`);

    this.addSql(`alter table "api_payload_tombstones" add constraint "api_payload_tombstones_api_payload_id_foreign" foreign key ("api_payload_id") references "api_payloads" ("id") on update restrict on delete restrict;`);

    // Written by hand: what the entity metadata cannot say.
    // Canonical content of a record: its row as jsonb text (keys in jsonb's fixed
    // order, timestamps in UTC) without nulls, so that a column added later (null
    // in old rows) leaves old hashes valid. A payload's body is hashed whole on
    // its own, so that a purged body's tombstone can stand in for it. Plain SQL
    // expressions, so that PostgreSQL inlines them: a function call per row
    // would cost more than the hashing.
    this.addSql(`create function auditgraph_body_hash(body jsonb) returns bytea language sql immutable parallel safe
      return sha256(convert_to(coalesce(body::text, 'null'), 'UTF8'));`);
    this.addSql(`create function auditgraph_content_hash(content jsonb, body_hash bytea) returns bytea language sql immutable parallel safe
      return sha256(convert_to(jsonb_strip_nulls(content)::text || coalesce(encode(body_hash, 'hex'), ''), 'UTF8'));`);
    this.addSql(`create function auditgraph_record_hash(table_name text, record jsonb) returns bytea language sql immutable parallel safe
      return case when table_name = 'api_payloads'
        then auditgraph_content_hash(record - 'payload', auditgraph_body_hash(record -> 'payload'))
        else auditgraph_content_hash(record, null) end;`);

    // What an event's chain hash covers: every column but the hashes themselves.
    // Callers render timestamps in UTC and bytea as hex (the triggers and verify set both).
    this.addSql(`create function auditgraph_event_content(e audit_events) returns bytea language sql stable parallel safe
      return convert_to(jsonb_build_array(e.seq, e.log_type, e.event, e.event_data, e.subject_table, e.subject_id, e.external_id,
        e.actor, e.occurred_at, e.recorded_at, e.record_ids, e.record_hashes)::text, 'UTF8');`);

    // The chain: whoever inserts an event, the database numbers it after the
    // last one and links it to that one's hash. The advisory lock serialises
    // appenders until commit, so two writers never take the same place; the
    // primary key and the unique prev_hash refuse a fork even without it.
    this.addSql(`create function auditgraph_chain_event() returns trigger language plpgsql set timezone to 'UTC' set bytea_output to 'hex' as $$
      declare
        head record;
      begin
        perform pg_advisory_xact_lock(${CHAIN_LOCK});
        select seq, hash into head from audit_events order by seq desc limit 1;
        new.seq := coalesce(head.seq, 0) + 1;
        new.prev_hash := coalesce(head.hash, '\\x${'00'.repeat(32)}'::bytea);
        new.recorded_at := now();
        new.hash := sha256(new.prev_hash || auditgraph_event_content(new));
        return new;
      end $$;`);
    this.addSql(`create trigger "audit_events_chain" before insert on "audit_events" for each row execute function auditgraph_chain_event();`);

    // Every statement that writes lineage rows appends records_written events
    // (10,000 rows each) carrying each row's key and content hash: COPY, ORM or psql alike.
    this.addSql(`create function auditgraph_record_written() returns trigger language plpgsql set timezone to 'UTC' set bytea_output to 'hex' as $$
      begin
        insert into audit_events (log_type, event, event_data, subject_table, actor, occurred_at, record_ids, record_hashes)
        select 'SYSTEM', 'records_written', jsonb_build_object('count', count(*)), tg_table_name,
               coalesce(nullif(current_setting('auditgraph.actor', true), ''), session_user), now(),
               array_agg(key order by key, hash), array_agg(hash order by key, hash)
        from (
          select key, hash, (row_number() over (order by key, hash) - 1) / 10000 as chunk
          from (
            select (case when tg_table_name = 'decision_inputs' then record ->> 'trade_decision_id' else record ->> 'id' end)::bigint as key,
                   auditgraph_record_hash(tg_table_name, record) as hash
            from (select to_jsonb(w) as record from written w) as rows
          ) as hashed
        ) as chunked
        group by chunk
        order by chunk;
        return null;
      end $$;`);

    for (const table of LINEAGE_TABLES) {
      this.addSql(`create trigger "${table}_recorded" after insert on "${table}" referencing new table as written for each statement execute function auditgraph_record_written();`);
    }

    // Append-only: no UPDATE, DELETE or TRUNCATE, whatever the client. The one
    // exception is the retention purge's removal of a payload body (below).
    for (const table of [...LINEAGE_TABLES, 'audit_events', 'api_payload_tombstones']) {
      const changes = table === 'api_payloads' ? 'delete' : 'update or delete';
      this.addSql(`create trigger "${table}_append_only" before ${changes} on "${table}" for each statement execute function auditgraph_refuse_change();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function auditgraph_refuse_change();`);
    }
    this.addSql(`create function auditgraph_purge_body_only() returns trigger language plpgsql as $$
      begin
        if current_setting('auditgraph.retention_purge', true) = 'on'
           and new.payload is null and old.payload is not null
           and (to_jsonb(new) - 'payload') = (to_jsonb(old) - 'payload')
           and exists (select 1 from api_payload_tombstones t where t.api_payload_id = old.id and t.body_hash = auditgraph_body_hash(old.payload)) then
          return new;
        end if;
        raise exception 'api_payloads is append-only: UPDATE refused'
          using errcode = 'insufficient_privilege', hint = 'only the retention purge may remove a body, after writing its tombstone';
      end $$;`);
    this.addSql(`create trigger "api_payloads_append_only_update" before update on "api_payloads" for each row execute function auditgraph_purge_body_only();`);
  }

  override async down(): Promise<void> {
    for (const table of [...LINEAGE_TABLES, 'audit_events', 'api_payload_tombstones']) {
      this.addSql(`drop trigger if exists "${table}_append_only" on "${table}";`);
      this.addSql(`drop trigger if exists "${table}_no_truncate" on "${table}";`);
      this.addSql(`drop trigger if exists "${table}_recorded" on "${table}";`);
    }
    this.addSql(`drop trigger if exists "api_payloads_append_only_update" on "api_payloads";`);
    this.addSql(`drop function if exists auditgraph_purge_body_only();`);
    this.addSql(`drop function if exists auditgraph_record_written();`);
    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "api_payload_tombstones" cascade;`);
    this.addSql(`drop function if exists auditgraph_chain_event();`);
    this.addSql(`drop function if exists auditgraph_event_content(audit_events);`);
    this.addSql(`drop function if exists auditgraph_record_hash(text, jsonb);`);
    this.addSql(`drop function if exists auditgraph_content_hash(jsonb, bytea);`);
    this.addSql(`drop function if exists auditgraph_body_hash(jsonb);`);
  }

}
