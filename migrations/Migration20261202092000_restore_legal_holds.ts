import { Migration } from '@mikro-orm/migrations';

const HOLD_EVENT_CHECK = (restoreMode: boolean) => `create or replace function auditgraph_legal_hold_event() returns trigger language plpgsql as $$
      declare
        expected constant text := tg_argv[0];
        hold constant text := (to_jsonb(new) ->> tg_argv[1]);
      begin
        if not exists (
          select 1 from audit_events e
           where e.recorded_xid = pg_current_xact_id() and e.log_type = 'COMPLIANCE' and e.event = expected
             and e.event_data @> jsonb_build_object('holdId', hold))${restoreMode ? `
           -- A restore writes a hold as it was exported: placed (or released) long ago, by another
           -- transaction, whose event it restores in the same transaction with its own xid.
           and not (current_setting('auditgraph.restore', true) = 'on' and exists (
             select 1 from audit_events e
              where e.log_type = 'COMPLIANCE' and e.event = expected
                and e.event_data @> jsonb_build_object('holdId', hold)))` : ''} then
          raise exception '%: hold % written without its % COMPLIANCE event in the same transaction', tg_table_name, hold, expected
            using errcode = 'insufficient_privilege', hint = 'place and release holds with auditgraph hold place / release';
        end if;
        return null;
      end $$;`;

/**
 * Legal holds in the restore mode (issue 17, \`auditgraph restore\`): as for
 * api_keys (Migration20261201233000_restore_mode), a restored hold or release
 * cannot have its event in its own transaction; under \`auditgraph.restore =
 * on\` it passes when its legal_hold_placed / legal_hold_released event is in
 * the record. A hold still never exists without its event.
 */
export class Migration20261202092000_restore_legal_holds extends Migration {

  override async up(): Promise<void> {
    // Written by hand: what the entity metadata cannot say.
    this.addSql(HOLD_EVENT_CHECK(true));
  }

  override async down(): Promise<void> {
    this.addSql(HOLD_EVENT_CHECK(false));
  }

}
