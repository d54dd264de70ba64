import { Migration } from '@mikro-orm/migrations';

/**
 * Admin actions are events of the record (issues 20 and 23): a new log type,
 * ADMIN, for what operators do to the gateway itself, written by auditgraph
 * in the transaction of the change it describes (src/admin/admin-events.ts).
 * The actor gets the column rule the application already states
 * (src/base/actor.ts); NOT VALID, because events written before it by
 * `import --actor` or `retention purge --actor` took any text and stay as
 * they were: every new row is checked. And the database, not only the
 * application, refuses a key issued or revoked without its ADMIN event: a
 * constraint trigger, deferred to commit, looks for the event naming the key
 * among the transaction's own (audit_events.recorded_xid, indexed).
 */
export class Migration20261201194910_admin_events extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "audit_events" drop constraint if exists "audit_events_log_type_check";`);

    this.addSql(`alter table "audit_events" add constraint "audit_events_log_type_check" check("log_type" in ('TRADE', 'RISK', 'SYSTEM', 'NAV', 'COMPLIANCE', 'ADMIN'));`);
    this.addSql(`alter table "audit_events" add constraint audit_events_actor_length check((length(actor) >= 1) AND (length(actor) <= 200)) not valid;`);

    // Written by hand: what the entity metadata cannot say.
    this.addSql(`create function auditgraph_api_key_event() returns trigger language plpgsql as $$
      declare
        expected text := case when tg_op = 'INSERT' then 'api_key_created' else 'api_key_revoked' end;
      begin
        if not exists (
          select 1 from audit_events e
           where e.recorded_xid = pg_current_xact_id() and e.log_type = 'ADMIN' and e.event = expected
             and e.event_data @> jsonb_build_object('keyId', new.id::text)) then
          raise exception 'api_keys: key % changed (%) without its % ADMIN event in the same transaction', new.id, tg_op, expected
            using errcode = 'insufficient_privilege', hint = 'issue and revoke keys with auditgraph keys create / revoke';
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger "api_keys_admin_event" after insert or update on "api_keys" deferrable initially deferred for each row execute function auditgraph_api_key_event();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "api_keys_admin_event" on "api_keys";`);
    this.addSql(`drop function auditgraph_api_key_event();`);

    this.addSql(`alter table "audit_events" drop constraint if exists "audit_events_log_type_check";`);

    this.addSql(`alter table "audit_events" drop constraint audit_events_actor_length;`);

    this.addSql(`alter table "audit_events" add constraint "audit_events_log_type_check" check("log_type" in ('TRADE', 'RISK', 'SYSTEM', 'NAV', 'COMPLIANCE'));`);
  }

}
