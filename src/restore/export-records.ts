import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { writeArchiveFile } from '../archive/archive-file';
import type { ArchiveKey } from '../archive/archive-key';
import { BadInputError } from '../base/errors';
import { canonicalJson, canonicalSha256 } from '../integrator/canonical-json';
import { LEAF_SOURCES } from '../integrator/leaf-sources';
import { leafLines, leafRowsSql } from './leaf-lines';
import {
  EXPORT_FORMAT,
  EXPORT_MANIFEST,
  type ExportManifest,
  LEAVES_PER_FILE,
  type LeafLine,
  recordsFileOf,
  tableFileOf,
  type TableLine,
} from './export-layout';
import { NOT_EXPORTED, TABLES_AFTER_LEAVES, TABLES_BEFORE_LEAVES } from './export-tables';
import { EXACT_TEXT_SETTINGS, rowTextJsonSql, tableColumns } from './table-columns';

/** Rows read per statement while a tables file is written. */
const CHUNK = 2_000;

/** What an export wrote: the tree it is consistent with, and how much. */
export type ExportSummary = {
  dir: string;
  treeSize: number;
  root: string;
  files: number;
  rows: number;
  bytes: number;
  tables: Record<string, number>;
};

async function* tableLines(connection: pg.ClientBase, table: string): AsyncGenerator<TableLine> {
  const columns = await tableColumns(connection, table);
  const key = `"${columns[0]!.name}"`;
  await connection.query(
    `declare table_rows no scroll cursor for
       select ${rowTextJsonSql(columns, 't')}::text as row, t.${key}::text as key from ${table} t order by t.${key}`,
  );
  let at = 0;
  for (;;) {
    const { rows } = await connection.query<{ row: string; key: string }>(`fetch forward ${CHUNK} from table_rows`);
    for (const row of rows) yield { leafIndex: at++, source: table, key: row.key, row: JSON.parse(row.row) };
    if (rows.length < CHUNK) break;
  }
  await connection.query('close table_rows');
}

/** A small table's rows (`where`, `order` over alias `t`, one parameter) as objects of column texts. */
async function rowsOf(connection: pg.ClientBase, table: string, where: string, order: string, parameter: number) {
  const columns = await tableColumns(connection, table);
  const { rows } = await connection.query<{ rows: string }>(
    `select coalesce(json_agg(${rowTextJsonSql(columns, 't')} order by ${order}), '[]')::text as rows
       from ${table} t where ${where}`,
    [parameter],
  );
  return JSON.parse(rows[0]!.rows) as Record<string, string | null>[];
}

/**
 * `auditgraph export --all`: every leaf of the tree at its newest signed
 * checkpoint, in leaf order, with the rows it stands for, into
 * `dir/records/`, and the tables a restored gateway needs besides into
 * `dir/tables/`, all in the archive format, encrypted with `key`; then the
 * top manifest. One REPEATABLE READ snapshot: the files agree with each
 * other and with the checkpoint. Leaves past the checkpoint are left for the
 * next export (the caller signs one of the whole tree first); `dir` must be
 * empty or new, nothing in it is overwritten.
 */
export async function exportAll(connection: pg.ClientBase, dir: string, key: ArchiveKey): Promise<ExportSummary> {
  await mkdir(path.join(dir, 'records'), { recursive: true });
  await mkdir(path.join(dir, 'tables'), { recursive: true });
  await connection.query('begin isolation level repeatable read read only');
  try {
    await connection.query(EXACT_TEXT_SETTINGS);
    const {
      rows: [head],
    } = await connection.query<{ size: number; root: string; note: string; xid: string | null; now: string }>(
      `select c.tree_size::int as size, encode(c.root, 'hex') as root, c.note, now()::text as now,
              (select max(x)::text from (${LEAF_SOURCES.map(({ source }) => `select max(recorded_xid) as x from ${source}`).join(' union all ')}) m) as xid
         from merkle_checkpoints c order by c.tree_size desc limit 1`,
    );
    if (!head)
      throw new BadInputError(
        'there is no signed checkpoint to export at: set AUDITGRAPH_CHECKPOINT_KEY_FILE and run auditgraph integrate',
      );
    const summary: ExportSummary = {
      dir,
      treeSize: head.size,
      root: head.root,
      files: 0,
      rows: 0,
      bytes: 0,
      tables: {},
    };
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      checkpoint: head.note,
      treeSize: head.size,
      root: head.root,
      keyId: key.keyId,
      exportedAt: head.now,
      maxRecordedXid: head.xid ?? '0',
      records: [],
      tables: [],
      checkpoints: [],
      checkpointKeys: [],
      notExported: NOT_EXPORTED,
    };
    const write = async (file: string, lines: AsyncIterable<LeafLine | TableLine>, hashOf: (line: never) => string) => {
      const written = await writeArchiveFile(path.join(dir, file), lines, key, {
        checkpoint: head.note,
        leafHashOf: hashOf as (line: unknown) => string,
      });
      summary.files++;
      summary.bytes += written.bytes;
      return written;
    };
    const rowHash = (line: TableLine) => canonicalSha256(line.row);
    for (const table of TABLES_BEFORE_LEAVES) await writeTable(table);
    const sql = await leafRowsSql(connection);
    for (let first = 0; first < head.size; first += LEAVES_PER_FILE) {
      const last = Math.min(head.size, first + LEAVES_PER_FILE) - 1;
      const file = recordsFileOf(first, last);
      let rows = 0;
      const counted = async function* () {
        for await (const line of leafLines(connection, sql, first, last + 1)) {
          rows += line.rows.length;
          summary.tables[line.source] = (summary.tables[line.source] ?? 0) + line.rows.length;
          yield line;
        }
      };
      await write(file, counted(), (line: LeafLine) => line.leafHash);
      summary.rows += rows;
      manifest.records.push({ file, firstLeaf: first, lastLeaf: last });
    }
    for (const table of TABLES_AFTER_LEAVES) await writeTable(table);
    manifest.checkpoints = await rowsOf(
      connection,
      'merkle_checkpoints',
      't.tree_size <= $1',
      't.tree_size',
      head.size,
    );
    manifest.checkpointKeys = await rowsOf(
      connection,
      'checkpoint_keys',
      't.first_tree_size <= $1',
      't.first_tree_size, t.verifier_key',
      head.size,
    );
    await connection.query('commit');
    await writeFile(path.join(dir, EXPORT_MANIFEST), canonicalJson(manifest), { flag: 'wx', mode: 0o644 });
    return summary;

    async function writeTable(table: string): Promise<void> {
      let rows = 0;
      const counted = async function* () {
        for await (const line of tableLines(connection, table)) {
          rows++;
          yield line;
        }
      };
      const file = tableFileOf(table);
      // An empty table has no file (an archive file holds at least one line).
      const lines = counted();
      const firstLine = await lines.next();
      if (firstLine.done) return;
      const all = async function* () {
        yield firstLine.value;
        yield* lines;
      };
      await write(file, all(), rowHash);
      manifest.tables.push({ file, table, rows });
      summary.tables[table] = rows;
      summary.rows += rows;
    }
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    throw error;
  }
}
