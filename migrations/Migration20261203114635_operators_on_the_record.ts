import { Migration } from '@mikro-orm/migrations';
import { KEY_EVENT_CHECK } from './Migration20261201233000_restore_mode';

/** Whether the restored key's own events are in the record: for restore mode (see KEY_EVENT_CHECK). */
const restoredHas = (event: string) => `exists (
             select 1 from audit_events e
              where e.log_type = 'ADMIN' and e.event = '${event}'
                and e.event_data @> jsonb_build_object('keyId', new.id::text))`;

/**
 * Operators on the record (issue 20). Keys rotate: `keys rotate` issues the
 * successor and has the old key name it (`replaced_by`) and end after a
 * grace period (its `expires_at`, never later than it was), so two keys of
 * one name live for a while: the name is unique among *current* keys (live,
 * not replaced) instead of live ones. api_keys stays append-only: besides
 * revoking a live key, the changes allowed are rotating a current one
 * (replaced_by set, expires_at kept or brought forward, nothing else) and
 * bringing a live key's expiry forward (`keys expire`), each with its ADMIN
 * event in the same transaction (api_key_rotated, api_key_expiry_set).
 * A compliance role, and at most one attestation (day_attested) per person
 * and day, the database deciding.
 */
export class Migration20261203114635_operators_on_the_record extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "api_keys" drop constraint if exists "api_keys_role_check";`);

    this.addSql(`drop index "api_keys_live_name_unique";`);

    this.addSql(`alter table "api_keys" add column "replaced_by" bigint null;`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_role_check" check("role" in ('investigator', 'integrity', 'writer', 'admin', 'compliance'));`);
    this.addSql(`create unique index "api_keys_current_name_unique" on "api_keys" ("name") where "revoked_at" is null and "replaced_by" is null;`);

    this.addSql(`create unique index "audit_events_attestation_unique" on "audit_events" ((event_data ->> 'day'), (event_data ->> 'by')) where event = 'day_attested';`);

    // Written by hand: what the entity metadata cannot say.
    this.addSql(`create or replace function auditgraph_api_key_change() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.revoked_at is null and new.revoked_at is not null
           and (to_jsonb(new) - 'revoked_at') = (to_jsonb(old) - 'revoked_at') then
          return new;
        end if;
        if tg_op = 'UPDATE' and old.revoked_at is null and old.replaced_by is null and new.replaced_by is not null
           and new.expires_at is not null and (old.expires_at is null or new.expires_at <= old.expires_at)
           and (to_jsonb(new) - 'replaced_by' - 'expires_at') = (to_jsonb(old) - 'replaced_by' - 'expires_at') then
          return new;
        end if;
        if tg_op = 'UPDATE' and old.revoked_at is null and new.expires_at is not null
           and (old.expires_at is null or new.expires_at < old.expires_at)
           and (to_jsonb(new) - 'expires_at') = (to_jsonb(old) - 'expires_at') then
          return new;
        end if;
        raise exception 'api_keys: only revoking a live key is allowed, rotating a current one, or bringing its expiry forward (% refused)', tg_op
          using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create or replace function auditgraph_api_key_event() returns trigger language plpgsql as $$
      declare
        expected text := case when tg_op = 'INSERT' then 'api_key_created'
                              when new.replaced_by is distinct from old.replaced_by then 'api_key_rotated'
                              when new.revoked_at is distinct from old.revoked_at then 'api_key_revoked'
                              else 'api_key_expiry_set' end;
      begin
        if not exists (
          select 1 from audit_events e
           where e.recorded_xid = pg_current_xact_id() and e.log_type = 'ADMIN' and e.event = expected
             and e.event_data @> jsonb_build_object('keyId', new.id::text))
           -- A restore writes a key as it was exported, its events restored beside it with their own xids.
           -- coalesce: unset is null, and \`not (null and …)\` would let a change with every event restored-looking pass.
           and not (coalesce(current_setting('auditgraph.restore', true), '') = 'on' and ${restoredHas('api_key_created')}
             and (new.revoked_at is null or ${restoredHas('api_key_revoked')})
             and (new.replaced_by is null or ${restoredHas('api_key_rotated')})) then
          raise exception 'api_keys: key % changed (%) without its % ADMIN event in the same transaction', new.id, tg_op, expected
            using errcode = 'insufficient_privilege', hint = 'issue, rotate, expire and revoke keys with auditgraph keys create / rotate / expire / revoke';
        end if;
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(KEY_EVENT_CHECK(true));
    this.addSql(`create or replace function auditgraph_api_key_change() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.revoked_at is null and new.revoked_at is not null
           and (to_jsonb(new) - 'revoked_at') = (to_jsonb(old) - 'revoked_at') then
          return new;
        end if;
        raise exception 'api_keys: only revoking a live key is allowed (% refused)', tg_op using errcode = 'insufficient_privilege';
      end $$;`);

    this.addSql(`alter table "api_keys" drop constraint if exists "api_keys_role_check";`);

    this.addSql(`drop index "api_keys_current_name_unique";`);
    this.addSql(`alter table "api_keys" drop column "replaced_by";`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_role_check" check("role" in ('investigator', 'integrity', 'writer', 'admin'));`);
    this.addSql(`create unique index "api_keys_live_name_unique" on "api_keys" ("name") where "revoked_at" is null;`);

    this.addSql(`drop index "audit_events_attestation_unique";`);
  }

}
