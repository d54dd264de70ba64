import type pg from 'pg';
import type { ArchiveKey } from '../archive/archive-key';
import { rowsByKey } from '../chain/rows-by-key';
import { canonicalBytes } from '../integrator/canonical-json';
import { LEAF_SOURCES, leafSourceOf } from '../integrator/leaf-sources';
import { treeWriter } from '../integrator/tree-writer';
import { EMPTY_ROOT, leafHash } from '../merkle/tree-hash';
import { REBUILD_CURRENT_STATUSES } from '../queries/current-status-projection';
import type { LeafLine, TableLine } from './export-layout';
import { checkedLines, type OpenedExport } from './export-package';
import { MANIFEST_TABLES, TABLES_AFTER_LEAVES, TABLES_BEFORE_LEAVES } from './export-tables';
import { RestoreRefusedError } from './restore-errors';
import { EXACT_TEXT_SETTINGS, insertRowsSql, type TableColumn, tableColumns } from './table-columns';

/** Rows per insert statement. */
const INSERT_ROWS = 500;
/** Leaves re-hashed per lookup round. */
const REHASH_LEAVES = 5_000;

/** Every table a restore writes: it must find all of them empty. */
export const RESTORED_TABLES = [
  ...TABLES_BEFORE_LEAVES,
  ...LEAF_SOURCES.map(({ source }) => source),
  ...TABLES_AFTER_LEAVES,
  'merkle_leaves',
  ...MANIFEST_TABLES,
];

/**
 * `rows` and `tables` count what the export counted (leaf rows and table
 * files), so the two agree; `checkpoints` the manifest's checkpoints.
 */
export type RestoreSummary = {
  treeSize: number;
  root: string;
  rows: number;
  tables: Record<string, number>;
  checkpoints: number;
};

const mismatch = (message: string) => new RestoreRefusedError('PACKAGE_MISMATCH', message);

/** The restored tables that already hold rows (one statement, an index probe each). */
export async function tablesWithRows(connection: pg.ClientBase): Promise<string[]> {
  const { rows } = await connection.query<{ table: string }>(
    RESTORED_TABLES.map((table) => `select '${table}' as table where exists (select from ${table})`).join(
      ' union all ',
    ),
  );
  return rows.map(({ table }) => table);
}

/** Rows gathered for one table, inserted INSERT_ROWS at a time, in the order given. */
function rowInserter(connection: pg.ClientBase) {
  const columnsOf = new Map<string, TableColumn[]>();
  const counts: Record<string, number> = {};
  let table: string | undefined;
  let pending: Record<string, string | null>[] = [];

  async function flush(): Promise<void> {
    if (!table || pending.length === 0) return;
    const rows = pending;
    pending = [];
    let columns = columnsOf.get(table);
    if (!columns) {
      const stored = await tableColumns(connection, table);
      const exported = Object.keys(rows[0]!);
      const unknown = exported.filter((name) => !stored.some((column) => column.name === name));
      if (unknown.length > 0)
        throw mismatch(`the export's ${table} has columns this schema has not: ${unknown.join(', ')}`);
      columns = stored.filter((column) => exported.includes(column.name));
      columnsOf.set(table, columns);
    }
    await connection.query(insertRowsSql(table, columns), [JSON.stringify(rows)]);
    counts[table] = (counts[table] ?? 0) + rows.length;
  }

  return {
    counts,
    async add(into: string, rows: readonly Record<string, string | null>[]): Promise<void> {
      if (into !== table) {
        await flush();
        table = into;
      }
      pending.push(...rows);
      if (pending.length >= INSERT_ROWS) await flush();
    },
    flush,
  };
}

type Leaf = { source: string; key: string; hash: string };

/**
 * Re-hashes every restored leaf from its restored row(s), with the
 * integrator's own encoding (LeafSource.record), in leaf order, and grows the
 * tree from those hashes: the first leaf whose row does not make the hash the
 * manifest lists ends the restore (the caller rolls back).
 */
async function rebuildTree(connection: pg.ClientBase, leaves: readonly Leaf[]) {
  const tree = treeWriter(connection, 0, EMPTY_ROOT, REHASH_LEAVES);
  for (let first = 0; first < leaves.length; first += REHASH_LEAVES) {
    const chunk = leaves.slice(first, first + REHASH_LEAVES);
    const hashes = new Map<string, Buffer>();
    for (const name of new Set(chunk.map(({ source }) => source))) {
      const source = leafSourceOf(name);
      if (!source) throw mismatch(`the export names source ${name}, which is not a table of the record`);
      const keys = chunk.filter((leaf) => leaf.source === name).map(({ key }) => key);
      const { rows } = await rowsByKey(connection, source, keys);
      for (const [key, row] of rows) hashes.set(`${name}\n${key}`, leafHash(canonicalBytes(source.record(row))));
    }
    for (const [at, leaf] of chunk.entries()) {
      const made = hashes.get(`${leaf.source}\n${leaf.key}`);
      if (!made || made.toString('hex') !== leaf.hash)
        throw mismatch(
          `leaf #${first + at} (${leaf.source} ${leaf.key}): the restored row ${made ? `hashes to ${made.toString('hex')}` : 'is missing'}, ` +
            `the export's manifest lists ${leaf.hash}`,
        );
      await tree.add(leaf.source, [leaf.key], [made]);
    }
  }
  return tree.flush();
}

/** Every serial column of the restored tables moved past its restored maximum, so new writes continue after it. */
async function advanceSequences(connection: pg.ClientBase): Promise<void> {
  const { rows } = await connection.query<{ table: string; column: string }>(
    `select table_name as table, column_name as column from information_schema.columns
      where table_schema = 'public' and table_name = any($1) and column_default like 'nextval(%'`,
    [RESTORED_TABLES],
  );
  for (const { table, column } of rows)
    await connection.query(
      `select setval(pg_get_serial_sequence($1, $2), max("${column}")) from ${table} having max("${column}") is not null`,
      [table, column],
    );
}

/**
 * Writes an opened export into this (empty, migrated) database in ONE
 * transaction: the tables before the leaves, every leaf's rows in leaf order
 * as exported (ids, seq and writer xids kept — the restore mode, session
 * setting `auditgraph.restore`, lets api_keys' event check find the key's
 * ADMIN event among the restored ones), the tables after; then every leaf
 * re-hashed from its restored row against the manifest, the tree rebuilt and
 * its root matched to the checkpoint, the checkpoints and their keys, the
 * sequences, and the integrator's state set to the restored tree with a
 * snapshot after this transaction, so the integrator never sequences a
 * restored row again. Any mismatch throws and nothing is left written.
 */
export async function restoreExport(
  connection: pg.ClientBase,
  opened: OpenedExport,
  key: ArchiveKey,
): Promise<RestoreSummary> {
  const { manifest, checkpoint } = opened;
  await connection.query('begin');
  try {
    await connection.query(EXACT_TEXT_SETTINGS);
    await connection.query("select set_config('auditgraph.restore', 'on', true)");
    const inserter = rowInserter(connection);
    const restoreTable = async (table: string) => {
      for (const entry of manifest.tables.filter((candidate) => candidate.table === table))
        for await (const line of checkedLines(opened, entry.file, key)) {
          if (line.source !== table) throw mismatch(`${entry.file} holds a row of ${line.source}, not of ${table}`);
          await inserter.add(table, [(line as unknown as TableLine).row]);
        }
      await inserter.flush();
    };
    for (const table of TABLES_BEFORE_LEAVES) await restoreTable(table);
    const leaves: Leaf[] = [];
    for (const { file } of manifest.records)
      for await (const line of checkedLines(opened, file, key)) {
        const leaf = line as unknown as LeafLine;
        if (leaf.leafIndex !== leaves.length)
          throw mismatch(`${file}: leaf #${leaf.leafIndex} where leaf #${leaves.length} was due`);
        if (!leafSourceOf(leaf.source)) throw mismatch(`${file}: leaf #${leaf.leafIndex} names source ${leaf.source}`);
        leaves.push({ source: leaf.source, key: leaf.key, hash: leaf.leafHash });
        await inserter.add(leaf.source, leaf.rows);
      }
    await inserter.flush();
    for (const table of TABLES_AFTER_LEAVES) await restoreTable(table);
    const { size, root } = await rebuildTree(connection, leaves);
    if (size !== checkpoint.size || !root.equals(checkpoint.root))
      throw mismatch(
        `the restored tree has size ${size}, root ${root.toString('hex')}; the checkpoint signs ` +
          `${checkpoint.size}, ${checkpoint.root.toString('hex')}`,
      );
    await inserter.add('merkle_checkpoints', manifest.checkpoints);
    await inserter.add('checkpoint_keys', manifest.checkpointKeys);
    await inserter.flush();
    await advanceSequences(connection);
    // The restored rows count as integrated (below): the projection of their statuses must hold them all.
    for (const statement of REBUILD_CURRENT_STATUSES) await connection.query(statement);
    // xmin = xmax = the next transaction id after this one: every restored row (this transaction's, or an
    // exported xid below it) counts as integrated; every later write is the integrator's to take.
    await connection.query(
      `update merkle_integration set tree_size = $1, root = $2, integrated_at = now(),
              snapshot = ((pg_current_xact_id()::text::numeric + 1)::text || ':' || (pg_current_xact_id()::text::numeric + 1)::text || ':')::pg_snapshot`,
      [String(size), root],
    );
    await connection.query('commit');
    const manifestTables = new Set<string>(MANIFEST_TABLES);
    const tables = Object.fromEntries(Object.entries(inserter.counts).filter(([table]) => !manifestTables.has(table)));
    const rows = Object.values(tables).reduce((sum, count) => sum + count, 0);
    return { treeSize: size, root: root.toString('hex'), rows, tables, checkpoints: manifest.checkpoints.length };
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    throw error;
  }
}
