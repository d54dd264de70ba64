import type { Knex } from '@mikro-orm/postgresql';
import { DomainError } from '../base/errors';
import { describeDifferences } from './difference-message';
import { stringifyExactJson } from '../json/exact-json';
import { differencesOf, type RecordedSide, type Row } from './record-differences';
import { DECISIONS, EVENTS, EXECUTIONS, PAYLOADS, POSITIONS, type RecordTable, RUNS } from './record-tables';
import { quoted } from './sql-names';

export type { Row } from './record-differences';

/**
 * A row to record, where it came from (`orders.jsonl:12`, `records[3]`), and
 * the rows it links to by their external ids.
 */
export type PendingRecord = {
  source: string;
  row: Row;
  links?: Record<string, { table: RecordTable; externalId: string }>;
};

/** One transaction's worth of records, in any order: the writer puts referenced tables first. */
export type RecordBundle = {
  runs: PendingRecord[];
  payloads: PendingRecord[];
  positions: PendingRecord[];
  decisions: PendingRecord[];
  executions: PendingRecord[];
  events: PendingRecord[];
};

export const emptyBundle = (): RecordBundle => ({
  runs: [],
  payloads: [],
  positions: [],
  decisions: [],
  executions: [],
  events: [],
});

export type WriteCounts = Record<RecordTable['table'], { created: number; unchanged: number }>;

/** Each table and its part of a bundle, in the order a bundle is written: each after the ones its rows link to. */
const WRITE_ORDER: readonly [RecordTable, keyof RecordBundle][] = [
  [RUNS, 'runs'],
  [PAYLOADS, 'payloads'],
  [POSITIONS, 'positions'],
  [DECISIONS, 'decisions'],
  [EXECUTIONS, 'executions'],
  [EVENTS, 'events'],
];

export const zeroCounts = (): WriteCounts =>
  Object.fromEntries(WRITE_ORDER.map(([spec]) => [spec.table, { created: 0, unchanged: 0 }]));

/**
 * A record whose external id is already taken by different content
 * (CONFLICT), or that links to nothing (BAD_USER_INPUT).
 */
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

/**
 * Rows sent per statement, as one JSON document: large enough to amortise a
 * round trip, small enough to keep memory flat.
 */
const WRITE_CHUNK = 5_000;

/** The producer-set columns among those sent, in the table's order: what two versions of a record are compared on. */
const comparedColumns = (spec: RecordTable, sent: Iterable<string>): string[] => {
  const names = new Set(sent);
  return spec.columns.filter((column) => names.has(column));
};

/** SQL: rows `a` and `b` hold the same content in `columns`, as their column types compare it. */
const sameContent = (columns: string[], a: string, b: string) => {
  const row = (alias: string) => `(${columns.map((column) => `${alias}.${quoted(column)}`).join(', ')}, null)`;
  return `${row(a)} is not distinct from ${row(b)}`;
};

/**
 * One statement per chunk: the rows arrive as one JSON array typed by the
 * table's own row type (so `1` and `1.00000000`, or two spellings of one
 * instant, compare as the column stores them); those already recorded are
 * compared in place, the others inserted in the order sent. An insert that
 * conflicted would still take a number from the table's sequence (a gap in
 * ids or event numbers), so existing ids are never offered to it; ON CONFLICT
 * only covers a concurrent writer.
 */
function writeSql(spec: RecordTable, columns: string[]): string {
  const id = spec.idColumn;
  const key = quoted(spec.externalId);
  const list = columns.map(quoted).join(', ');
  return `with incoming as (
      select * from rows from (json_populate_recordset(null::${spec.table}, ?::json)) with ordinality as s
    ), stored as (
      select s.ordinality, t.${id} as id, t.${key} as external_id,
        ${sameContent(comparedColumns(spec, columns), 't', 's')} as same
      from incoming s join ${spec.table} t on t.${key} = s.${key}
    ), inserted as (
      insert into ${spec.table} (${list})
      select ${columns.map((column) => `s.${quoted(column)}`).join(', ')} from incoming s
      where not exists (select from stored where stored.ordinality = s.ordinality)
      order by s.ordinality
      on conflict (${key}) do nothing
      returning ${id} as id, ${key} as external_id
    )
    select external_id, id, same, ordinality from stored
    union all
    select external_id, id, true, null from inserted`;
}

/**
 * A CONFLICT naming every column in which `record` differs from the recorded
 * side, with both values where they differ.
 */
async function conflictOf(
  trx: Knex.Transaction,
  spec: RecordTable,
  columns: string[],
  recorded: RecordedSide,
  record: PendingRecord,
  problem: string,
  recordedLabel: string,
): Promise<RecordError> {
  const differences = await differencesOf(trx, spec, columns, recorded, record.row);
  return new RecordError(
    record.source,
    `${spec.table} ${String(record.row[spec.externalId])} ${problem} ` +
      `(${describeDifferences(differences, recordedLabel, 'now')})`,
    'CONFLICT',
  );
}

/**
 * The first record sent twice in one batch with different content, compared
 * by PostgreSQL as the writer compares a record with its stored version.
 */
async function firstRepeatThatDiffers(
  trx: Knex.Transaction,
  spec: RecordTable,
  repeats: [earlier: PendingRecord, later: PendingRecord][],
): Promise<RecordError | null> {
  if (repeats.length === 0) return null;
  const columns = comparedColumns(
    spec,
    repeats.flatMap(([earlier, later]) => [...Object.keys(earlier.row), ...Object.keys(later.row)]),
  );
  const sides = [
    stringifyExactJson(repeats.map(([earlier]) => earlier.row)),
    stringifyExactJson(repeats.map(([, later]) => later.row)),
  ];
  const { rows } = (await trx.raw(
    `select a.ordinality from json_populate_recordset(null::${spec.table}, ?::json) with ordinality a
      join json_populate_recordset(null::${spec.table}, ?::json) with ordinality b using (ordinality)
      where not (${sameContent(columns, 'a', 'b')}) order by a.ordinality limit 1`,
    sides,
  )) as { rows: { ordinality: string }[] };
  if (rows.length === 0) return null;
  const [earlier, later] = repeats[Number(rows[0]!.ordinality) - 1]!;
  return conflictOf(
    trx,
    spec,
    columns,
    { sentAs: earlier.row },
    later,
    'appears twice with different content',
    `at ${earlier.source}`,
  );
}

/**
 * Records rows idempotently on their external id: new ones are inserted,
 * ones already recorded with the same content are skipped, and one recorded
 * with different content is a CONFLICT. The caller's transaction makes the
 * whole bundle land or not at all.
 */
async function writeTable(
  trx: Knex.Transaction,
  spec: RecordTable,
  records: PendingRecord[],
  counts: WriteCounts,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (records.length === 0) return ids;
  const unique = new Map<string, PendingRecord>();
  const repeats: [PendingRecord, PendingRecord][] = [];
  for (const record of records) {
    const key = String(record.row[spec.externalId]);
    const earlier = unique.get(key);
    if (!earlier) unique.set(key, record);
    else repeats.push([earlier, record]);
  }
  const repeated = await firstRepeatThatDiffers(trx, spec, repeats);
  if (repeated) throw repeated;
  let pending = [...unique.values()];
  // A second pass only when a concurrent writer recorded one of these ids since this statement began.
  for (let pass = 0; pending.length > 0; pass++) {
    const raced: PendingRecord[] = [];
    for (let start = 0; start < pending.length; start += WRITE_CHUNK) {
      const chunk = pending.slice(start, start + WRITE_CHUNK);
      const columns = [...new Set(chunk.flatMap((record) => Object.keys(record.row)))];
      const { rows } = (await trx.raw(writeSql(spec, columns), [
        stringifyExactJson(chunk.map((record) => record.row)),
      ])) as {
        rows: { external_id: string; id: string; same: boolean; ordinality: string | null }[];
      };
      const conflicting = rows
        .filter((row) => !row.same)
        .sort((a, b) => Number(a.ordinality) - Number(b.ordinality))[0];
      if (conflicting) {
        const record = chunk[Number(conflicting.ordinality) - 1]!;
        throw await conflictOf(
          trx,
          spec,
          comparedColumns(spec, columns),
          { storedUnder: conflicting.external_id },
          record,
          'is already recorded with different content',
          'recorded',
        );
      }
      for (const row of rows) {
        ids.set(row.external_id, String(row.id));
        counts[spec.table][row.ordinality === null ? 'created' : 'unchanged']++;
      }
      raced.push(...chunk.filter((record) => !ids.has(String(record.row[spec.externalId]))));
    }
    if (pass > 0 && raced.length > 0)
      throw new Error(`${spec.table}: ${raced.length} records were neither inserted nor found`);
    pending = raced;
  }
  return ids;
}

/** Fills each record's link columns with the ids of the rows it names, from this bundle or from the database. */
async function resolveLinks(
  trx: Knex.Transaction,
  records: PendingRecord[],
  known: Map<RecordTable, Map<string, string>>,
): Promise<void> {
  const wanted = new Map<RecordTable, Set<string>>();
  for (const record of records) {
    for (const { table, externalId } of Object.values(record.links ?? {})) {
      if (known.get(table)?.has(externalId)) continue;
      wanted.set(table, (wanted.get(table) ?? new Set()).add(externalId));
    }
  }
  for (const [table, externalIds] of wanted) {
    const rows = (await trx(table.table)
      .select(`${table.idColumn} as id`, `${table.externalId} as external_id`)
      .whereRaw('?? = any(?)', [table.externalId, [...externalIds]])) as { id: string; external_id: string }[];
    const map = known.get(table) ?? new Map<string, string>();
    for (const row of rows) map.set(row.external_id, String(row.id));
    known.set(table, map);
  }
  for (const record of records) {
    for (const [column, { table, externalId }] of Object.entries(record.links ?? {})) {
      const id = known.get(table)?.get(externalId);
      if (!id)
        throw new RecordError(
          record.source,
          `${column} names ${table.table} ${JSON.stringify(externalId)}, which is not recorded`,
          'BAD_USER_INPUT',
        );
      record.row[column] = id;
    }
  }
}

/** Writes a bundle in dependency order inside the caller's transaction; events without an actor get `actor`. */
export async function writeBundle(
  trx: Knex.Transaction,
  bundle: RecordBundle,
  counts: WriteCounts,
  actor: string,
): Promise<Map<RecordTable, Map<string, string>>> {
  for (const event of bundle.events) event.row.actor ??= actor;
  const known = new Map<RecordTable, Map<string, string>>();
  for (const [spec, part] of WRITE_ORDER) {
    const records = bundle[part];
    await resolveLinks(trx, records, known);
    const ids = await writeTable(trx, spec, records, counts);
    known.set(spec, new Map([...(known.get(spec) ?? []), ...ids]));
  }
  return known;
}
