import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LEAF_SOURCES } from '../src/integrator/leaf-sources';
import { MANIFEST_TABLES, NOT_EXPORTED, TABLES_AFTER_LEAVES, TABLES_BEFORE_LEAVES } from '../src/restore/export-tables';
import { archiveFolder } from './harness/archive-folder';
import { insertPayload } from './harness/archive-drill';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

/**
 * A restore rebuilds the whole record, not only the leaves: every table of
 * the schema is exported, rebuilt or named as left out (so a table added
 * later cannot be dropped by a restore unnoticed), and legal holds, their
 * releases and the archive index come back — a purged body still reads from
 * the archive, the archive still verifies, the holds still hold.
 */
let source: TestDatabase;
let target: TestDatabase;
let work: string;
let logKey: LogKey;
let archive: { folder: string; env: NodeJS.ProcessEnv };

const cli = (database: TestDatabase, args: string[]) =>
  runCli([...args], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    AUDITGRAPH_ACTOR: 'restore-test',
    DATABASE_URL: database.url,
    AUDITGRAPH_CHECKPOINT_KEY_FILE: logKey.keyFile,
    AUDITGRAPH_CHECKPOINT_INTERVAL_S: '0',
    ...archive.env,
  });
const ok = async (database: TestDatabase, args: string[]) => {
  const result = await cli(database, args);
  if (result.code !== 0) throw new Error(`auditgraph ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
};
const tablesOf = (url: string) =>
  withClient(url, async (client) =>
    (
      await client.query<{ table: string }>(
        `select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
      )
    ).rows.map(({ table }) => table),
  );
/** Every row of `table` as PostgreSQL's text, in key order. */
const rowsOf = (url: string, table: string) =>
  withClient(url, async (client) => (await client.query(`select t::text as row from ${table} t order by 1`)).rows);

beforeAll(async () => {
  [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  work = await mkdtemp(path.join(tmpdir(), 'auditgraph-restore-whole-'));
  logKey = await createLogKey(work);
  archive = await archiveFolder('restore-whole');
});
afterAll(async () => {
  await Promise.all([source?.drop(), target?.drop()]);
  await rm(work, { recursive: true, force: true });
  await rm(archive.folder, { recursive: true, force: true });
});

it('classifies every table of the schema exactly once', async () => {
  const classified = [
    ...LEAF_SOURCES.map(({ source: table }) => table),
    ...TABLES_BEFORE_LEAVES,
    ...TABLES_AFTER_LEAVES,
    ...MANIFEST_TABLES,
    ...Object.keys(NOT_EXPORTED),
  ];
  expect(new Set(classified).size).toBe(classified.length);
  const unclassified = (await tablesOf(source.url)).filter((table) => !classified.includes(table));
  expect(unclassified).toEqual([]);
});

it('restores holds, releases and the archive index: a purged body reads back, the archive verifies', async () => {
  const old = await insertPayload(source.url, '{"old": 1, "n": 12345678901234567890.5}', '2026-01-15T00:00:00Z');
  await insertPayload(source.url, '{"old": 2}', '2026-01-16T00:00:00Z');
  await ok(source, ['hold', 'place', '--symbol', 'ÅAPL ✓', '--reason', 'matter 1: Zoë’s request']);
  const released = JSON.parse(
    await ok(source, ['hold', 'place', '--strategy', 'momentum', '--reason', 'matter 2', '--format', 'json']),
  ) as { id: string };
  await ok(source, ['hold', 'release', released.id, '--reason', 'matter 2 closed']);
  await integrateAndSign(source.url, logKey);
  await ok(source, ['archive', '--execute', '--older-than', '30d']);
  const purged = JSON.parse(
    await ok(source, [
      'retention',
      'purge',
      '--older-than',
      '30d',
      '--allow-short-window',
      '--execute',
      '--format',
      'json',
    ]),
  ) as { payloads: number };
  expect(purged.payloads).toBe(2);

  const exportDir = path.join(work, 'export');
  const exported = JSON.parse(await ok(source, ['export', '--all', '--to', exportDir, '--format', 'json'])) as {
    rows: number;
    tables: Record<string, number>;
  };
  const restored = JSON.parse(await ok(target, ['restore', exportDir, '--format', 'json'])) as {
    rows: number;
    tables: Record<string, number>;
  };
  expect(restored.rows).toBe(exported.rows);
  expect(restored.tables).toEqual(exported.tables);
  for (const table of ['legal_holds', 'legal_hold_releases', 'archived_bodies', 'api_payload_tombstones'])
    expect(exported.tables[table]).toBeGreaterThan(0);

  for (const table of [...TABLES_BEFORE_LEAVES, ...TABLES_AFTER_LEAVES])
    expect({ table, rows: await rowsOf(target.url, table) }).toEqual({ table, rows: await rowsOf(source.url, table) });
  // The restored gateway may sign checkpoints of its own since; the exported ones are all there.
  for (const table of MANIFEST_TABLES)
    expect(await rowsOf(target.url, table)).toEqual(expect.arrayContaining(await rowsOf(source.url, table)));
  expect(await ok(target, ['hold', 'list', '--all', '--format', 'json'])).toBe(
    await ok(source, ['hold', 'list', '--all', '--format', 'json']),
  );
  const body = await withClient(
    target.url,
    async (client) =>
      (await client.query('select payload is null as purged from api_payloads where id = $1', [old])).rows[0],
  );
  expect(body).toEqual({ purged: true });
  expect((await cli(target, ['archive', 'verify'])).code).toBe(0);
  // archive verify records an event: integrated (and signed) before verify, as cron runs them.
  await integrateAndSign(target.url, logKey);
  expect((await cli(target, ['verify'])).code).toBe(0);
});
