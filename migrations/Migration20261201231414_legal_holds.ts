import { Migration } from '@mikro-orm/migrations';

/**
 * Legal holds (issue 17): a hold (by symbol, account, strategy or a period of
 * UTC days) and its release, each its own append-only row — a release is
 * appended, never an update of the hold. Like api_keys' ADMIN events, the
 * database itself refuses a hold placed or released without its COMPLIANCE
 * event in the same transaction: a constraint trigger, deferred to commit,
 * looks for the event naming the hold among the transaction's own
 * (audit_events.recorded_xid, indexed). The purge's predicate walks the
 * lineage through foreign-key indexes that exist already (decision_inputs,
 * trade_executions), so this migration adds none.
 */
export class Migration20261201231414_legal_holds extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "legal_holds" ("id" bigserial primary key, "scope_kind" text check ("scope_kind" in ('symbol', 'account', 'strategy', 'period')) not null, "symbol" text null, "account" text null, "strategy" text null, "period_from" date null, "period_to" date null, "reason" text not null, "actor" text not null, "placed_at" timestamptz not null default now(), constraint legal_holds_name_length check (length(coalesce(symbol, account, strategy, 'x')) between 1 and 200), constraint legal_holds_reason_length check ((length(reason) >= 1) AND (length(reason) <= 2000)), constraint legal_holds_scope_columns check (coalesce(case scope_kind
  when 'symbol' then symbol is not null and num_nonnulls(account, strategy, period_from, period_to) = 0
  when 'account' then account is not null and num_nonnulls(symbol, strategy, period_from, period_to) = 0
  when 'strategy' then strategy is not null and num_nonnulls(symbol, account, period_from, period_to) = 0
  when 'period' then period_from <= period_to and num_nonnulls(symbol, account, strategy) = 0
  else false end, false)));`);

    this.addSql(`create table "legal_hold_releases" ("legal_hold_id" bigint not null, "reason" text not null, "actor" text not null, "released_at" timestamptz not null default now(), constraint "legal_hold_releases_pkey" primary key ("legal_hold_id"), constraint legal_hold_releases_reason_length check ((length(reason) >= 1) AND (length(reason) <= 2000)));`);

    this.addSql(`alter table "legal_hold_releases" add constraint "legal_hold_releases_legal_hold_id_foreign" foreign key ("legal_hold_id") references "legal_holds" ("id") on update restrict on delete restrict;`);

    // Written by hand: what the entity metadata cannot say.
    for (const table of ['legal_holds', 'legal_hold_releases']) {
      this.addSql(`create trigger "${table}_append_only" before update or delete on "${table}" for each statement execute function auditgraph_refuse_change();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function auditgraph_refuse_change();`);
    }
    this.addSql(`create function auditgraph_legal_hold_event() returns trigger language plpgsql as $$
      declare
        expected constant text := tg_argv[0];
        hold constant text := (to_jsonb(new) ->> tg_argv[1]);
      begin
        if not exists (
          select 1 from audit_events e
           where e.recorded_xid = pg_current_xact_id() and e.log_type = 'COMPLIANCE' and e.event = expected
             and e.event_data @> jsonb_build_object('holdId', hold)) then
          raise exception '%: hold % written without its % COMPLIANCE event in the same transaction', tg_table_name, hold, expected
            using errcode = 'insufficient_privilege', hint = 'place and release holds with auditgraph hold place / release';
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger "legal_holds_compliance_event" after insert on "legal_holds" deferrable initially deferred for each row execute function auditgraph_legal_hold_event('legal_hold_placed', 'id');`);
    this.addSql(`create constraint trigger "legal_hold_releases_compliance_event" after insert on "legal_hold_releases" deferrable initially deferred for each row execute function auditgraph_legal_hold_event('legal_hold_released', 'legal_hold_id');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "legal_hold_releases_compliance_event" on "legal_hold_releases";`);
    this.addSql(`drop trigger "legal_holds_compliance_event" on "legal_holds";`);
    this.addSql(`drop function auditgraph_legal_hold_event();`);
    this.addSql(`alter table "legal_hold_releases" drop constraint "legal_hold_releases_legal_hold_id_foreign";`);

    this.addSql(`drop table if exists "legal_holds" cascade;`);

    this.addSql(`drop table if exists "legal_hold_releases" cascade;`);
  }

}
