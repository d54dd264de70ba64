import type { Knex } from '@mikro-orm/postgresql';
import { stringifyExactJson } from '../json/exact-json';
import type { RecordTable } from './record-tables';
import { quoted } from './sql-names';

export type Row = Record<string, unknown>;

/** Where a column of two records differs, as PostgreSQL compares them. */
export type ValueDifference = {
  column: string;
  /**
   * Keys and array indices from the column down to its first differing value
   * (in key order); empty unless the column is JSON.
   */
  path: (string | number)[];
  /**
   * The values at `path` as PostgreSQL writes them (JSON text in a JSON
   * column); null for SQL NULL or an absent JSON key.
   */
  recorded: string | null;
  sent: string | null;
  json: boolean;
  /** How many values differ in this column: a JSON document can differ in several places. */
  count: number;
};

/** The first side of a comparison: the row stored under an external id, or another row sent in the same batch. */
export type RecordedSide = { storedUnder: string } | { sentAs: Row };

/**
 * One statement: each column compared with `is distinct from` under the
 * table's own row type (so values compare exactly, as stored: numeric,
 * bigint, µs timestamps, jsonb), then each differing JSON document walked
 * down to the values that differ.
 */
function differencesSql(spec: RecordTable, columns: string[], recorded: RecordedSide): string {
  const recordedFrom =
    'storedUnder' in recorded
      ? `select * from ${spec.table} where ${quoted(spec.externalId)} = ?`
      : `select * from json_populate_record(null::${spec.table}, ?::json)`;
  const perColumn = columns.map((column, index) => {
    const [a, b] = [`a.${quoted(column)}`, `b.${quoted(column)}`];
    const json = `pg_typeof(${a}) in ('json'::regtype, 'jsonb'::regtype)`;
    return `(${index}, ${a} is distinct from ${b}, ${json}, to_jsonb(${a}), to_jsonb(${b}))`;
  });
  // Both sides objects: walk the union of their keys; both arrays: every index of the longer.
  // Anything else is a differing value.
  const bothObjects = (a: string, b: string) => `jsonb_typeof(${a}) = 'object' and jsonb_typeof(${b}) = 'object'`;
  const bothArrays = (a: string, b: string) => `jsonb_typeof(${a}) = 'array' and jsonb_typeof(${b}) = 'array'`;
  const walkedObjects = bothObjects('w.recorded', 'w.sent');
  return `with recursive recorded as (${recordedFrom}),
    sent as (select * from json_populate_record(null::${spec.table}, ?::json)),
    differing as (
      select d.ordinal, d.json, d.recorded, d.sent
      from recorded a cross join sent b
        cross join lateral (values ${perColumn.join(', ')}) d(ordinal, differs, json, recorded, sent)
      where d.differs
    ),
    walk as (
      select ordinal, '[]'::jsonb as path, array[]::text[] as sort, recorded, sent from differing
      union all
      select w.ordinal, w.path || jsonb_build_array(child.step), w.sort || child.sort, child.recorded, child.sent
      from walk w cross join lateral (
        select to_jsonb(k) as step, k as sort, w.recorded -> k as recorded, w.sent -> k as sent
        from (select jsonb_object_keys(case when ${walkedObjects} then w.recorded else '{}' end)
              union select jsonb_object_keys(case when ${walkedObjects} then w.sent else '{}' end)) keys(k)
        union all
        select to_jsonb(i), lpad(i::text, 10, '0'), w.recorded -> i, w.sent -> i
        from generate_series(0, case when ${bothArrays('w.recorded', 'w.sent')}
          then greatest(jsonb_array_length(w.recorded), jsonb_array_length(w.sent)) - 1 else -1 end) i
      ) child
      where child.recorded is distinct from child.sent
    ),
    leaves as (
      select ordinal, path, recorded, sent,
        row_number() over (partition by ordinal order by sort collate "C") as rank,
        count(*) over (partition by ordinal) as count
      from walk
      where not coalesce(${bothObjects('recorded', 'sent')}, false)
        and not coalesce(${bothArrays('recorded', 'sent')}, false)
    )
    select d.ordinal, d.json, l.path::text as path, l.count::int as count,
      case when d.json then l.recorded::text else l.recorded #>> '{}' end as recorded,
      case when d.json then l.sent::text else l.sent #>> '{}' end as sent
    from differing d join leaves l on l.ordinal = d.ordinal and l.rank = 1
    order by d.ordinal`;
}

/**
 * Every column in which `sent` differs from the recorded side, with where in
 * it the first difference is. PostgreSQL decides, so what counts as a
 * difference here is what made the write a conflict.
 */
export async function differencesOf(
  trx: Knex.Transaction,
  spec: RecordTable,
  columns: string[],
  recorded: RecordedSide,
  sent: Row,
): Promise<ValueDifference[]> {
  const first = 'storedUnder' in recorded ? recorded.storedUnder : stringifyExactJson(recorded.sentAs);
  const { rows } = (await trx.raw(differencesSql(spec, columns, recorded), [first, stringifyExactJson(sent)])) as {
    rows: {
      ordinal: number;
      json: boolean;
      path: string;
      count: number;
      recorded: string | null;
      sent: string | null;
    }[];
  };
  return rows.map((row) => ({
    column: columns[row.ordinal]!,
    path: JSON.parse(row.path) as (string | number)[],
    recorded: row.recorded,
    sent: row.sent,
    json: row.json,
    count: row.count,
  }));
}
