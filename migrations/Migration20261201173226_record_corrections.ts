import { Migration } from '@mikro-orm/migrations';
import { CORRECTION_FIELDS } from './correction-fields';

/**
 * Corrections are records too (issue 23): a wrong record is corrected by an
 * appended `record_corrections` row (the fields it supersedes, before and
 * after, who, why), and the record's row is updated in the same transaction,
 * so every read follows the correction. That update is the second guarded
 * exception to append-only, built like the retention purge's: the node
 * tables' statement trigger now refuses DELETE only, and a row trigger lets
 * an UPDATE through only when `auditgraph.correction` names a correction of
 * this transaction about this row whose `superseded` values are the row's
 * old ones and `corrected` its new ones, and no other column changes.
 */
export class Migration20261201173226_record_corrections extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "record_corrections" ("id" bigserial primary key, "subject_table" text check ("subject_table" in ('data_ingestion_runs', 'api_payloads', 'trade_decisions', 'positions', 'trade_executions')) not null, "subject_id" bigint not null, "corrected" jsonb not null, "superseded" jsonb not null, "reason" text not null, "actor" text not null, "corrected_at" timestamptz not null default now(), "recorded_xid" xid8 not null default pg_current_xact_id(), constraint record_corrections_fields check (jsonb_typeof(corrected) = 'object' and jsonb_typeof(superseded) = 'object' and corrected <> '{}'::jsonb), constraint record_corrections_reason_length check ((length(reason) >= 1) AND (length(reason) <= 2000)));`);
    this.addSql(`create index "record_corrections_recorded_xid_index" on "record_corrections" ("recorded_xid");`);
    this.addSql(`create index "record_corrections_subject_table_subject_id_id_index" on "record_corrections" ("subject_table", "subject_id", "id");`);

    // Written by hand: what the entity metadata cannot say.
    // Corrections are append-only themselves.
    this.addSql(`create trigger "record_corrections_append_only" before update or delete on "record_corrections" for each statement execute function auditgraph_refuse_change();`);
    this.addSql(`create trigger "record_corrections_no_truncate" before truncate on "record_corrections" for each statement execute function auditgraph_refuse_change();`);

    // A correction's value (as the API writes it) against a column's (as to_jsonb gives it): instants and
    // decimals by value, an enum by its GraphQL name, a relation by the target's global id (base64url of
    // "Type:id", unpadded), anything else as JSON. Absent on either side is no match.
    this.addSql(`create function auditgraph_correction_matches(spec jsonb, api jsonb, stored jsonb) returns boolean language sql stable as $$
      select case
        when api is null or stored is null then false
        when jsonb_typeof(api) = 'null' or jsonb_typeof(stored) = 'null' then jsonb_typeof(api) = 'null' and jsonb_typeof(stored) = 'null'
        when spec ->> 'kind' = 'instant' then (api #>> '{}')::timestamptz = (stored #>> '{}')::timestamptz
        when spec ->> 'kind' = 'decimal' then (api #>> '{}')::numeric = (stored #>> '{}')::numeric
        when spec ->> 'kind' = 'enum' then api = coalesce(spec -> 'enum' -> (stored #>> '{}'), stored)
        when spec ->> 'kind' = 'relation' then api = to_jsonb(rtrim(translate(encode(convert_to((spec ->> 'type') || ':' || (stored #>> '{}'), 'UTF8'), 'base64'), '+/', '-_'), '='))
        else api = stored
      end $$;`);

    // The guard. Its argument is the table's correctable fields ({field: {column, kind, enum?, type?}}).
    this.addSql(`create function auditgraph_correction_only() returns trigger language plpgsql as $$
      declare
        fields constant jsonb := tg_argv[0]::jsonb;
        setting constant text := coalesce(current_setting('auditgraph.correction', true), '');
        correction record_corrections;
        before constant jsonb := to_jsonb(old);
        after constant jsonb := to_jsonb(new);
        field text;
        spec jsonb;
        changed text;
      begin
        if setting ~ '^[0-9]{1,18}$' then
          select * into correction from record_corrections c
           where c.id = setting::bigint and c.recorded_xid = pg_current_xact_id()
             and c.subject_table = tg_table_name and c.subject_id = old.id;
        end if;
        if correction.id is null then
          raise exception '% is append-only: UPDATE refused', tg_table_name
            using errcode = 'insufficient_privilege', hint = 'a record changes only by a correction appended in the same transaction (correctRecord)';
        end if;
        if (select array_agg(k order by k) from jsonb_object_keys(correction.corrected) k)
           is distinct from (select array_agg(k order by k) from jsonb_object_keys(correction.superseded) k) then
          raise exception 'correction %: corrected and superseded name different fields', correction.id using errcode = 'insufficient_privilege';
        end if;
        for field in select jsonb_object_keys(correction.corrected) loop
          spec := fields -> field;
          if spec is null then
            raise exception 'correction %: % of % is not correctable', correction.id, field, tg_table_name using errcode = 'insufficient_privilege';
          end if;
          if not auditgraph_correction_matches(spec, correction.superseded -> field, before -> (spec ->> 'column')) then
            raise exception 'correction %: % of % row % was not %', correction.id, field, tg_table_name, old.id, correction.superseded -> field using errcode = 'insufficient_privilege';
          end if;
          if not auditgraph_correction_matches(spec, correction.corrected -> field, after -> (spec ->> 'column')) then
            raise exception 'correction %: % of % row % does not become %', correction.id, field, tg_table_name, old.id, correction.corrected -> field using errcode = 'insufficient_privilege';
          end if;
        end loop;
        for changed in select a.key from jsonb_each(after) a where a.value is distinct from before -> a.key loop
          if not exists (select from jsonb_object_keys(correction.corrected) k where fields -> k ->> 'column' = changed) then
            raise exception 'correction %: column % of % is not one it corrects', correction.id, changed, tg_table_name using errcode = 'insufficient_privilege';
          end if;
        end loop;
        return new;
      end $$;`);

    for (const [table, fields] of Object.entries(CORRECTION_FIELDS)) {
      const argument = JSON.stringify(fields).replaceAll("'", "''");
      if (table === 'api_payloads') {
        // The purge's guard runs for an update without a correction, this one for an update with one.
        this.addSql(`drop trigger "api_payloads_append_only_update" on "api_payloads";`);
        this.addSql(`create trigger "api_payloads_append_only_update" before update on "api_payloads" for each row when (coalesce(current_setting('auditgraph.correction', true), '') = '') execute function auditgraph_purge_body_only();`);
        this.addSql(`create trigger "api_payloads_correction_only" before update on "api_payloads" for each row when (coalesce(current_setting('auditgraph.correction', true), '') <> '') execute function auditgraph_correction_only('${argument}');`);
      } else {
        this.addSql(`drop trigger "${table}_append_only" on "${table}";`);
        this.addSql(`create trigger "${table}_append_only" before delete on "${table}" for each statement execute function auditgraph_refuse_change();`);
        this.addSql(`create trigger "${table}_correction_only" before update on "${table}" for each row execute function auditgraph_correction_only('${argument}');`);
      }
    }
  }

  override async down(): Promise<void> {
    for (const table of Object.keys(CORRECTION_FIELDS)) {
      this.addSql(`drop trigger "${table}_correction_only" on "${table}";`);
      if (table === 'api_payloads') {
        this.addSql(`drop trigger "api_payloads_append_only_update" on "api_payloads";`);
        this.addSql(`create trigger "api_payloads_append_only_update" before update on "api_payloads" for each row execute function auditgraph_purge_body_only();`);
      } else {
        this.addSql(`drop trigger "${table}_append_only" on "${table}";`);
        this.addSql(`create trigger "${table}_append_only" before update or delete on "${table}" for each statement execute function auditgraph_refuse_change();`);
      }
    }
    this.addSql(`drop function auditgraph_correction_only();`);
    this.addSql(`drop function auditgraph_correction_matches(jsonb, jsonb, jsonb);`);
    this.addSql(`drop table if exists "record_corrections" cascade;`);
  }

}
