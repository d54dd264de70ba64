import { originalRowSql } from '../corrections/original-row';
import { SUBJECT_TABLES, type SubjectTable } from '../entities/audit-event.entity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type BreakInput, type ChainVerification, Findings } from './chain-verification';
import { type Db, inSnapshot, withConnection } from './verification-snapshot';

const ZERO_HASH = `'\\x${'00'.repeat(32)}'::bytea`;

/**
 * The legacy chain is the events that have a chain hash: every event written
 * before Migration20261201163050_writers_never_wait retired the chain
 * triggers (the Merkle tree proves what came after, src/integrator). That
 * migration wrote its own transaction id into every row it found, so the
 * legacy rows are those whose recorded_xid is the one of the last chained
 * event: a row written since has another, and is the tree's to prove.
 */
const LEGACY_XID_SQL = `(select recorded_xid from audit_events where hash is not null order by seq desc limit 1)`;

/**
 * Each chained event against its content and its predecessor: numbering,
 * link, hash. Ordered by `checked.seq`, the number: a bare `seq` would be the
 * output column, its text (#10 before #9).
 */
const CHAIN_SQL = `
  select seq::text, problem from (
    select seq,
      case
        when seq <> coalesce(lag(seq) over w, 0) + 1
          then 'gap in the numbering: the event before it is #' || coalesce(lag(seq) over w, 0)
        when prev_hash <> coalesce(lag(hash) over w, ${ZERO_HASH})
          then 'prev_hash is not the hash of the event before it (#' || coalesce(lag(seq) over w, 0) || ')'
        when hash <> sha256(prev_hash || auditgraph_event_content(e))
          then 'its content no longer matches its hash (changed after it was written)'
      end as problem
    from audit_events e
    where hash is not null
    window w as (order by seq)
  ) checked
  where problem is not null
  order by checked.seq
  limit $1`;

/**
 * How each table's legacy rows are keyed and hashed now, as the record trigger
 * hashed them when written: their content then, without the recorded_xid
 * column added since, and a corrected row with its original values put back
 * (a correction changes the row, never what was written).
 */
function currentRowsSql(table: SubjectTable): string {
  const legacy = `t.recorded_xid = ${LEGACY_XID_SQL}`;
  const original = originalRowSql(table, 't');
  if (table === 'api_payloads') {
    // A purged body is represented by its tombstone's hash, so the payload still verifies.
    return `select t.id as key, auditgraph_content_hash(${original.row} - 'payload' - 'recorded_xid',
              case when t.payload is null and b.api_payload_id is not null then b.body_hash
                   else auditgraph_body_hash(t.payload) end) as hash
            from api_payloads t left join api_payload_tombstones b on b.api_payload_id = t.id ${original.join}
            where ${legacy}`;
  }
  const key = table === 'decision_inputs' ? 'trade_decision_id' : 'id';
  return `select t.${key} as key, auditgraph_record_hash('${table}', ${original.row} - 'recorded_xid') as hash
          from ${table} t ${original.join} where ${legacy}`;
}

/**
 * One statement per table: how many rows it holds, and the rows whose (key,
 * hash) pair is on one side only — written but gone or changed, or present but
 * never written through the chain. `present` is hashed once for both.
 *
 * The limit counts keys, not rows: a changed row is two rows here (its
 * recorded hash and its present one), and cutting between them would report
 * it as gone.
 */
function recordsSql(table: SubjectTable): string {
  return `
    with recorded as (
      select e.seq, u.key, u.hash
      from audit_events e cross join lateral unnest(e.record_ids, e.record_hashes) as u(key, hash)
      where e.event = 'records_written' and e.subject_table = '${table}'
    ), present as materialized (${currentRowsSql(table)}),
    mismatched as materialized (
      select coalesce(r.key, p.key) as key, r.seq, p.key is not null as present, r.key is not null as recorded
      from recorded r full join present p on p.key = r.key and p.hash = r.hash
      where r.key is null or p.key is null
    ), listed as (select distinct key from mismatched order by key limit $1)
    select (select count(*) from present)::text as checked, coalesce((
      select json_agg(json_build_object('key', m.key::text, 'seq', m.seq::text,
                                        'present', m.present, 'recorded', m.recorded)
                      order by m.key, m.seq nulls last)
      from mismatched m where m.key in (select key from listed)), '[]') as mismatches`;
}

type Mismatch = { key: string; seq: string | null; present: boolean; recorded: boolean };

/**
 * A changed row appears on both sides under one key; a deleted one only as
 * recorded; a smuggled one only as present.
 */
function describeRecordBreaks(table: SubjectTable, rows: Mismatch[]): BreakInput[] {
  const byKey = new Map<string, Mismatch[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  return [...byKey.entries()].map(([key, sides]) => {
    const written = sides.find((side) => side.recorded);
    const present = sides.some((side) => side.present);
    const problem =
      written && present
        ? `${table} ${key} was changed after it was written (its hash was recorded by event #${written.seq})`
        : written
          ? `${table} ${key} was written (event #${written.seq}) but is gone`
          : `${table} ${key} is not in the chain: it was written around the record trigger`;
    return { kind: 'record', seq: written?.seq ?? null, table, recordId: key, problem };
  });
}

/**
 * Recomputes every chained event's hash and link, and every legacy lineage
 * row's content hash against the hash the chain recorded when the row was
 * written: the events and rows written before the Merkle tree (the tree
 * proves them too, from its first integration on). Breaks go to `findings`;
 * returns how many events and records it checked.
 */
export async function verifyLegacyChain(db: Db, findings: Findings): Promise<{ events: string; records: string }> {
  const chain = (await db.query(CHAIN_SQL, [findings.limit])).rows as { seq: string; problem: string }[];
  for (const { seq, problem } of chain) findings.add({ kind: 'chain', seq, problem: `event #${seq}: ${problem}` });
  let records = 0n;
  for (const table of SUBJECT_TABLES) {
    const {
      rows: [{ checked, mismatches }],
    } = (await db.query(recordsSql(table), [findings.limit])) as {
      rows: { checked: string; mismatches: Mismatch[] }[];
    };
    for (const found of describeRecordBreaks(table, mismatches)) findings.add(found);
    records += BigInt(checked);
  }
  const {
    rows: [{ events }],
  } = await db.query(`select count(*)::text as events from audit_events where hash is not null`);
  return { events, records: records.toString() };
}

export type LegacyVerification = Pick<
  ChainVerification,
  'intact' | 'events' | 'records' | 'firstBreak' | 'breaks' | 'durationMs'
>;

/**
 * The legacy chain alone, in a snapshot of its own (what `verify --full`
 * runs besides the tree): for tests and benchmarks of the chain itself.
 */
export async function verifyChain(em: EntityManager, options: { limit?: number } = {}): Promise<LegacyVerification> {
  const started = Date.now();
  const findings = new Findings(options.limit ?? 100);
  const counted = await withConnection(em, (db) => inSnapshot(db, () => verifyLegacyChain(db, findings)));
  return {
    intact: findings.count === 0,
    ...counted,
    firstBreak: findings.listed[0] ?? null,
    breaks: findings.listed,
    durationMs: Date.now() - started,
  };
}
