import { Migration } from '@mikro-orm/migrations';

export class Migration20261123131206_access_control_and_query_audit extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_keys" ("id" bigserial primary key, "name" text not null, "role" text check ("role" in ('investigator', 'integrity', 'writer', 'admin')) not null, "secret_hash" text not null, "prefix" text not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz null, "revoked_at" timestamptz null);`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_secret_hash_unique" unique ("secret_hash");`);
    this.addSql(`create unique index "api_keys_live_name_unique" on "api_keys" ("name") where "revoked_at" is null;`);
    this.addSql(`create index "api_keys_created_at_index" on "api_keys" ("created_at");`);

    this.addSql(`create table "query_audit_log" ("id" bigserial primary key, "request_id" text not null, "api_key_id" bigint null, "role" text not null, "client_address" text null, "operation_name" text null, "operation_type" text null, "query_hash" text null, "variables" jsonb null, "duration_ms" double precision not null, "outcome" text check ("outcome" in ('ok', 'error', 'rejected', 'unauthenticated', 'rate_limited')) not null, "error_codes" text[] not null default '{}', "started_at" timestamptz not null);`);
    this.addSql(`create index "query_audit_log_operation_name_started_at_index" on "query_audit_log" ("operation_name", "started_at");`);
    this.addSql(`create index "query_audit_log_api_key_id_started_at_index" on "query_audit_log" ("api_key_id", "started_at");`);
    this.addSql(`create index "query_audit_log_started_at_index" on "query_audit_log" ("started_at");`);

    this.addSql(`create table "query_documents" ("query_hash" text not null, "document" text not null, "first_seen_at" timestamptz not null default now(), constraint "query_documents_pkey" primary key ("query_hash"));`);

    this.addSql(`alter table "query_audit_log" add constraint "query_audit_log_api_key_id_foreign" foreign key ("api_key_id") references "api_keys" ("id") on update cascade on delete restrict;`);

    // Written by hand: what the entity metadata cannot say.
    // Append-only, enforced by PostgreSQL whatever the client: a statement-level
    // trigger refuses UPDATE, DELETE and TRUNCATE (a rule would silently do nothing).
    this.addSql(`create function auditgraph_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op
          using errcode = 'insufficient_privilege', hint = 'audit records are never changed or deleted';
      end $$;`);
    for (const table of ['query_audit_log', 'query_documents']) {
      this.addSql(`create trigger "${table}_append_only" before update or delete on "${table}" for each statement execute function auditgraph_refuse_change();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function auditgraph_refuse_change();`);
    }

    // A key is never deleted (the audit log refers to it) and, once issued, only revoked.
    this.addSql(`create function auditgraph_api_key_change() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.revoked_at is null and new.revoked_at is not null
           and (to_jsonb(new) - 'revoked_at') = (to_jsonb(old) - 'revoked_at') then
          return new;
        end if;
        raise exception 'api_keys: only revoking a live key is allowed (% refused)', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger "api_keys_revoke_only" before update or delete on "api_keys" for each row execute function auditgraph_api_key_change();`);
    this.addSql(`create trigger "api_keys_no_truncate" before truncate on "api_keys" for each statement execute function auditgraph_refuse_change();`);

    // Gateways cache verified keys; every committed change to a key tells them to forget.
    this.addSql(`create function auditgraph_api_keys_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('auditgraph_api_keys', new.id::text);
        return null;
      end $$;`);
    this.addSql(`create trigger "api_keys_notify" after insert or update on "api_keys" for each row execute function auditgraph_api_keys_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists auditgraph_api_keys_notify() cascade;`);
    this.addSql(`drop function if exists auditgraph_api_key_change() cascade;`);
    this.addSql(`drop function if exists auditgraph_refuse_change() cascade;`);
    this.addSql(`alter table "query_audit_log" drop constraint "query_audit_log_api_key_id_foreign";`);

    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "query_audit_log" cascade;`);

    this.addSql(`drop table if exists "query_documents" cascade;`);
  }

}
