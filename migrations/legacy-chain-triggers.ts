/**
 * The hash chain's triggers as Migration20261123155203_immutable_record made
 * them (with the index-only lookup of Migration20261123174300): the
 * `audit_events_chain` trigger, which numbers and links each event under a
 * global advisory lock held until commit, and the `<table>_recorded`
 * statement triggers, which append `records_written` events with each row's
 * content hash. Retired by Migration20261201163050_writers_never_wait; kept
 * here, once, for that migration's down() to put them back. The hash
 * functions they call (auditgraph_record_hash, auditgraph_event_content, …)
 * were never dropped: verify still uses them on the legacy chain.
 */
export const LINEAGE_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
] as const;

/** pg_advisory_xact_lock key of the audit_events chain (any constant; this one spells "chain"). */
const CHAIN_LOCK = 0x636861696e;

/**
 * What an event's chain hash covers: every column the chain knew, by name, so
 * a column added since (recorded_xid) leaves legacy hashes as they were. A
 * SQL-standard body depends on the table's row type: altering the table's
 * columns means dropping it first and creating it again after.
 */
export const EVENT_CONTENT_FUNCTION_SQL = `create function auditgraph_event_content(e audit_events) returns bytea language sql stable parallel safe
      return convert_to(jsonb_build_array(e.seq, e.log_type, e.event, e.event_data, e.subject_table, e.subject_id, e.external_id,
        e.actor, e.occurred_at, e.recorded_at, e.record_ids, e.record_hashes)::text, 'UTF8');`;

export function legacyChainTriggersSql(): string[] {
  return [
    `create function auditgraph_chain_event() returns trigger language plpgsql set timezone to 'UTC' set bytea_output to 'hex' set enable_seqscan to off as $$
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
      end $$;`,
    `create trigger "audit_events_chain" before insert on "audit_events" for each row execute function auditgraph_chain_event();`,
    `create function auditgraph_record_written() returns trigger language plpgsql set timezone to 'UTC' set bytea_output to 'hex' as $$
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
      end $$;`,
    ...LINEAGE_TABLES.map(
      (table) =>
        `create trigger "${table}_recorded" after insert on "${table}" referencing new table as written for each statement execute function auditgraph_record_written();`,
    ),
  ];
}
