import type pg from 'pg';
import { BadInputError } from '../base/errors';
import { LEAF_SOURCES } from '../integrator/leaf-sources';
import type { LeafLine } from './export-layout';
import { rowTextJsonSql, tableColumns } from './table-columns';

/** Leaves read per statement while a records file is written. */
const CHUNK = 2_000;

/**
 * One statement reading leaves [$1, $2) with the rows each stands for: a
 * source's own key lookup (LeafSource.keyCondition, which takes an array of
 * keys) given the one key of the leaf, so each lookup is an index probe.
 * Read under EXACT_TEXT_SETTINGS, every column is PostgreSQL's own text.
 */
export async function leafRowsSql(connection: pg.ClientBase): Promise<string> {
  const branches: string[] = [];
  for (const source of LEAF_SOURCES) {
    const columns = await tableColumns(connection, source.source);
    const condition = source.keyCondition.replaceAll('$1', 'array[l.record_key]');
    branches.push(
      `when '${source.source}' then (select json_agg(${rowTextJsonSql(columns, 't')} order by t."${columns[0]!.name}")
                                       from ${source.source} t where ${condition})`,
    );
  }
  return `select l.leaf_index::int as "leafIndex", l.source, l.record_key as key, encode(l.leaf_hash, 'hex') as "leafHash",
                 (case l.source ${branches.join(' ')} end)::text as rows
            from merkle_leaves l where l.leaf_index >= $1 and l.leaf_index < $2 order by l.leaf_index`;
}

type LeafRow = Omit<LeafLine, 'rows'> & { rows: string | null };

/**
 * Leaves [first, end) as archive lines, in leaf order, with their rows: what
 * `export --all` and `archive --full` write. A leaf whose row is gone cannot
 * be kept: this says so rather than writing a hole.
 */
export async function* leafLines(
  connection: pg.ClientBase,
  sql: string,
  first: number,
  end: number,
): AsyncGenerator<LeafLine> {
  for (let from = first; from < end; from += CHUNK) {
    const { rows } = await connection.query<LeafRow>(sql, [from, Math.min(end, from + CHUNK)]);
    for (const row of rows) {
      if (row.rows === null)
        throw new BadInputError(`leaf #${row.leafIndex} (${row.source} ${row.key}) has no row: run auditgraph verify`);
      yield { ...row, rows: JSON.parse(row.rows) as LeafLine['rows'] };
    }
  }
}
