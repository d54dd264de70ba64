import type { Knex } from '@mikro-orm/postgresql';
import { DomainError } from '../errors';
import { type ColumnKind, DECISIONS, EVENTS, EXECUTIONS, PAYLOADS, POSITIONS, type RecordTable, RUNS } from './record-tables';

export type Row = Record<string, unknown>;

/** A row to record, where it came from (`orders.jsonl:12`, `records[3]`), and the rows it links to by their external ids. */
export type PendingRecord = { source: string; row: Row; links?: Record<string, { table: RecordTable; externalId: string }> };

/** One transaction's worth of records, in any order: the writer puts referenced tables first. */
export type RecordBundle = {
  runs: PendingRecord[];
  payloads: PendingRecord[];
  positions: PendingRecord[];
  decisions: PendingRecord[];
  executions: PendingRecord[];
  events: PendingRecord[];
};

export const emptyBundle = (): RecordBundle => ({ runs: [], payloads: [], positions: [], decisions: [], executions: [], events: [] });

export type WriteCounts = Record<RecordTable['table'], { created: number; unchanged: number }>;

export const zeroCounts = (): WriteCounts => ({
  data_ingestion_runs: { created: 0, unchanged: 0 },
  api_payloads: { created: 0, unchanged: 0 },
  positions: { created: 0, unchanged: 0 },
  trade_decisions: { created: 0, unchanged: 0 },
  trade_executions: { created: 0, unchanged: 0 },
  audit_events: { created: 0, unchanged: 0 },
});

/** A record whose external id is already taken by different content (CONFLICT), or that links to nothing (BAD_USER_INPUT). */
export class RecordError extends DomainError {
  override name = 'RecordError';
  constructor(
    readonly source: string,
    message: string,
    readonly code: 'CONFLICT' | 'BAD_USER_INPUT',
  ) {
    super(`${source}: ${message}`);
  }
}

const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

/** A value as stored, so that the same content compares equal however it was spelled. */
function comparable(kind: ColumnKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'decimal':
      return Number(value).toFixed(8);
    case 'integer':
      return String(Number(value));
    case 'timestamp':
      return String(new Date(value as string).getTime());
    case 'json':
      return sortedJson(typeof value === 'string' ? JSON.parse(value) : value);
    default:
      return String(value);
  }
}

function firstDifference(spec: RecordTable, stored: Row, incoming: Row): string | null {
  for (const [column, kind] of Object.entries(spec.columns)) {
    if (!(column in incoming)) continue;
    const [a, b] = [comparable(kind, stored[column]), comparable(kind, incoming[column])];
    const shown = (value: string | null) => (value !== null && value.length > 80 ? `${value.slice(0, 77)}…` : String(value));
    if (a !== b) return `${column}: ${shown(a)} recorded, ${shown(b)} now`;
  }
  return null;
}

/** jsonb values go to the driver as JSON text: it would turn a JavaScript array into a PostgreSQL array. */
function toDriver(spec: RecordTable, row: Row): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) out[column] = spec.columns[column] === 'json' && value != null ? JSON.stringify(value) : value;
  return out;
}

/** External ids looked up per statement. */
const LOOKUP_CHUNK = 5_000;

const idColumn = (spec: RecordTable) => (spec.table === 'audit_events' ? 'seq' : 'id');

/**
 * Records rows idempotently on their external id: new ones are inserted (in
 * chunks, one statement each), ones already recorded with the same content
 * are skipped, and one recorded with different content is a CONFLICT. The
 * caller's transaction makes the whole bundle land or not at all.
 */
async function writeTable(trx: Knex.Transaction, spec: RecordTable, records: PendingRecord[], counts: WriteCounts): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (records.length === 0) return ids;
  const unique = new Map<string, PendingRecord>();
  for (const record of records) {
    const key = String(record.row[spec.externalId]);
    const earlier = unique.get(key);
    if (!earlier) unique.set(key, record);
    else {
      const difference = firstDifference(spec, earlier.row, record.row);
      if (difference) throw new RecordError(record.source, `${spec.table} ${key} appears twice with different content (${difference.replace('recorded', `at ${earlier.source}`)})`, 'CONFLICT');
    }
  }
  // Those already recorded are compared, not inserted: an insert that conflicts would still
  // run the chain trigger, and re-importing a file would cost as much as importing it.
  const compareWithStored = async (records: PendingRecord[]) => {
    for (let start = 0; start < records.length; start += LOOKUP_CHUNK) {
      const chunk = records.slice(start, start + LOOKUP_CHUNK);
      const stored = (await trx(spec.table).select('*').whereIn(spec.externalId, chunk.map((record) => String(record.row[spec.externalId])))) as Row[];
      const byKey = new Map(stored.map((row) => [String(row[spec.externalId]), row]));
      for (const record of chunk) {
        const key = String(record.row[spec.externalId]);
        const row = byKey.get(key);
        if (!row) continue;
        const difference = firstDifference(spec, row, record.row);
        if (difference) throw new RecordError(record.source, `${spec.table} ${key} is already recorded with different content (${difference})`, 'CONFLICT');
        ids.set(key, String(row[idColumn(spec)]));
        counts[spec.table].unchanged++;
      }
    }
  };
  await compareWithStored([...unique.values()]);
  const fresh = [...unique.values()].filter((record) => !ids.has(String(record.row[spec.externalId])));
  const chunkSize = Math.max(1, Math.floor(30_000 / Object.keys(spec.columns).length));
  const raced: PendingRecord[] = [];
  for (let start = 0; start < fresh.length; start += chunkSize) {
    const chunk = fresh.slice(start, start + chunkSize);
    // ON CONFLICT covers a concurrent writer recording the same id since the lookup.
    const inserted = (await trx(spec.table)
      .insert(chunk.map((record) => toDriver(spec, record.row)))
      .onConflict(spec.externalId)
      .ignore()
      .returning([`${idColumn(spec)} as id`, `${spec.externalId} as external_id`])) as { id: string; external_id: string }[];
    for (const row of inserted) ids.set(row.external_id, String(row.id));
    counts[spec.table].created += inserted.length;
    raced.push(...chunk.filter((record) => !ids.has(String(record.row[spec.externalId]))));
  }
  await compareWithStored(raced);
  return ids;
}

/** Fills each record's link columns with the ids of the rows it names, from this bundle or from the database. */
async function resolveLinks(trx: Knex.Transaction, records: PendingRecord[], known: Map<RecordTable, Map<string, string>>): Promise<void> {
  const wanted = new Map<RecordTable, Set<string>>();
  for (const record of records) {
    for (const { table, externalId } of Object.values(record.links ?? {})) {
      if (known.get(table)?.has(externalId)) continue;
      wanted.set(table, (wanted.get(table) ?? new Set()).add(externalId));
    }
  }
  for (const [table, externalIds] of wanted) {
    const rows = (await trx(table.table).select(`${idColumn(table)} as id`, `${table.externalId} as external_id`).whereIn(table.externalId, [...externalIds])) as { id: string; external_id: string }[];
    const map = known.get(table) ?? new Map<string, string>();
    for (const row of rows) map.set(row.external_id, String(row.id));
    known.set(table, map);
  }
  for (const record of records) {
    for (const [column, { table, externalId }] of Object.entries(record.links ?? {})) {
      const id = known.get(table)?.get(externalId);
      if (!id) throw new RecordError(record.source, `${column} names ${table.table} ${JSON.stringify(externalId)}, which is not recorded`, 'BAD_USER_INPUT');
      record.row[column] = id;
    }
  }
}

/** Writes a bundle in dependency order inside the caller's transaction; events without an actor get `actor`. */
export async function writeBundle(trx: Knex.Transaction, bundle: RecordBundle, counts: WriteCounts, actor: string): Promise<Map<RecordTable, Map<string, string>>> {
  for (const event of bundle.events) event.row.actor ??= actor;
  const known = new Map<RecordTable, Map<string, string>>();
  const steps: [RecordTable, PendingRecord[]][] = [
    [RUNS, bundle.runs],
    [PAYLOADS, bundle.payloads],
    [POSITIONS, bundle.positions],
    [DECISIONS, bundle.decisions],
    [EXECUTIONS, bundle.executions],
    [EVENTS, bundle.events],
  ];
  for (const [spec, records] of steps) {
    await resolveLinks(trx, records, known);
    const ids = await writeTable(trx, spec, records, counts);
    known.set(spec, new Map([...(known.get(spec) ?? []), ...ids]));
  }
  return known;
}
