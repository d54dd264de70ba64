import { Migration } from '@mikro-orm/migrations';

export const KEY_EVENT_CHECK = (restoreMode: boolean) => `create or replace function auditgraph_api_key_event() returns trigger language plpgsql as $$
      declare
        expected text := case when tg_op = 'INSERT' then 'api_key_created' else 'api_key_revoked' end;
      begin
        if not exists (
          select 1 from audit_events e
           where e.recorded_xid = pg_current_xact_id() and e.log_type = 'ADMIN' and e.event = expected
             and e.event_data @> jsonb_build_object('keyId', new.id::text))${restoreMode ? `
           -- A restore writes a key as it was exported: issued (and, if so, revoked) long ago, by other
           -- transactions, whose events it restores in the same transaction with their own xids.
           and not (current_setting('auditgraph.restore', true) = 'on' and exists (
             select 1 from audit_events e
              where e.log_type = 'ADMIN' and e.event = 'api_key_created'
                and e.event_data @> jsonb_build_object('keyId', new.id::text))
             and (new.revoked_at is null or exists (
             select 1 from audit_events e
              where e.log_type = 'ADMIN' and e.event = 'api_key_revoked'
                and e.event_data @> jsonb_build_object('keyId', new.id::text))))` : ''} then
          raise exception 'api_keys: key % changed (%) without its % ADMIN event in the same transaction', new.id, tg_op, expected
            using errcode = 'insufficient_privilege', hint = 'issue and revoke keys with auditgraph keys create / revoke';
        end if;
        return null;
      end $$;`;

/**
 * The restore mode (issue 17, \`auditgraph restore\`). A restore writes every
 * row as it was exported, in one transaction, so the check that a key was
 * issued with its ADMIN event *in the same transaction* cannot hold for a
 * restored key. Under the session setting \`auditgraph.restore = on\` (set
 * by restore only, like \`auditgraph.retention_purge\` by the purge) a key
 * passes when its api_key_created event, and its api_key_revoked event if it
 * is revoked, are in the record: a key still never exists without them.
 */
export class Migration20261201233000_restore_mode extends Migration {

  override async up(): Promise<void> {
    // Written by hand: what the entity metadata cannot say.
    this.addSql(KEY_EVENT_CHECK(true));
  }

  override async down(): Promise<void> {
    this.addSql(KEY_EVENT_CHECK(false));
  }

}
