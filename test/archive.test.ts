import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { readArchiveFrames, readManifest } from '../src/archive/archive-file';
import { readArchiveKey, writeNewArchiveKey } from '../src/archive/archive-key';
import { stringifyExactJson } from '../src/json/exact-json';
import { toGlobalId } from '../src/graphql/global-id';
import { flipByte, HOSTILE_BODIES, insertPayload } from './harness/archive-drill';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { expectPayloadLeafProves } from './harness/payload-proof';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

/**
 * The drill of issue 17 part 1 against a DATABASE_URL database: archive →
 * verify → purge → GraphQL read-back (ARCHIVE, the same answer, the proof
 * still holds) → a flipped byte named by verify and refused by the purge.
 */
let gateway: TestGateway;
let folder: string;
let archiveDir: string;
let keyFile: string;
let logKey: LogKey;
const ids: string[] = [];

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LOG_LEVEL: 'warn',
  DATABASE_URL: gateway.database.url,
  AUDITGRAPH_ARCHIVE_DIR: archiveDir,
  AUDITGRAPH_ARCHIVE_KEY_FILE: keyFile,
  ...extra,
});
const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> =>
  withClient(gateway.database.url, async (client) => (await client.query<T>(text, values)).rows);
const cli = async (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, env(extra));
const json = (stdout: string) => JSON.parse(stdout);
const purge = (...extra: string[]) =>
  cli(['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--format', 'json', ...extra]);

const PAYLOAD = `query ($id: ID!) { apiPayload(id: $id) { payload payloadSource } }`;
const readPayload = (id: string) => gateway.execute(PAYLOAD, { id: toGlobalId('ApiPayload', id) });

beforeAll(async () => {
  gateway = await startTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-archive-'));
  archiveDir = path.join(folder, 'archive');
  await mkdir(archiveDir);
  keyFile = path.join(folder, 'archive.key');
  await writeNewArchiveKey(keyFile);
  logKey = await createLogKey(folder);
  // Two months, the last day of one and the first instant of the next (UTC), hostile bodies among them.
  ids.push(await insertPayload(gateway.database.url, HOSTILE_BODIES[0]!, '2026-09-30T23:59:59.999999Z'));
  ids.push(await insertPayload(gateway.database.url, HOSTILE_BODIES[1]!, '2026-10-01T00:00:00Z'));
  ids.push(await insertPayload(gateway.database.url, HOSTILE_BODIES[2]!, '2026-10-02T12:00:00+14:00'));
  for (let n = 0; n < 5; n++)
    ids.push(
      await insertPayload(gateway.database.url, `{"n": ${n}, "s": "${'x'.repeat(n * 100)}"}`, '2026-10-15T00:00:00Z'),
    );
  await integrateAndSign(gateway.database.url, logKey);
  Object.assign(gateway.settings, { archiveDir, archiveKeyFile: keyFile });
});
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

describe('auditgraph archive, archive verify, the purge gate and the read-back', () => {
  let before: Map<string, string>;

  test('refuses to run without an archive folder or key, or with a folder that is not one', async () => {
    const noKey = await cli(['archive', '--older-than', '30d'], { AUDITGRAPH_ARCHIVE_KEY_FILE: '' });
    expect(noKey).toMatchObject({ code: 2 });
    expect(noKey.stderr).toMatch(/no archive key: set AUDITGRAPH_ARCHIVE_KEY_FILE/);
    const noDir = await cli(['archive'], { AUDITGRAPH_ARCHIVE_DIR: '' });
    expect(noDir.stderr).toMatch(/no archive folder: pass --archive-dir or set AUDITGRAPH_ARCHIVE_DIR/);
    expect(noDir.code).toBe(2);
    const missing = await cli([
      'archive',
      '--older-than',
      '30d',
      '--execute',
      '--archive-dir',
      path.join(folder, 'none'),
    ]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/the archive folder .*none does not exist or is not a folder/);
    await writeFile(path.join(folder, 'a-file'), 'x');
    const notFolder = await cli([
      'archive',
      '--older-than',
      '30d',
      '--execute',
      '--archive-dir',
      path.join(folder, 'a-file'),
    ]);
    expect(notFolder.code).toBe(2);
    const garbageKey = path.join(folder, 'garbage.key');
    await writeFile(garbageKey, 'not a key at all\n');
    const badKey = await cli(['archive', '--older-than', '30d'], { AUDITGRAPH_ARCHIVE_KEY_FILE: garbageKey });
    expect(badKey).toMatchObject({ code: 2 });
    expect(badKey.stderr).toMatch(/must hold one line: base64 of 32 random bytes/);
    expect(badKey.stderr).not.toMatch(/not a key at all/);
    expect(await readdir(archiveDir)).toEqual([]);
  });

  test('a dry run plans by UTC month and writes nothing', async () => {
    const planned = await cli(['archive', '--older-than', '30d', '--format', 'json']);
    expect(planned.code).toBe(0);
    const summary = json(planned.stdout);
    expect(summary).toMatchObject({ executed: false, bodies: ids.length, waiting: 0, files: [] });
    expect(summary.months.map((month: { month: string }) => month.month)).toEqual(['2026-09', '2026-10']);
    expect(await readdir(archiveDir)).toEqual([]);
  });

  test('archives one file per month, read back byte-exact, indexed with its event; a late body waits for its checkpoint', async () => {
    before = new Map();
    for (const id of ids) before.set(id, stringifyExactJson((await readPayload(id)).data));
    const late = await insertPayload(gateway.database.url, '{"late": true}', '2026-10-20T00:00:00Z');
    const run = await cli(['archive', '--older-than', '30d', '--execute', '--format', 'json']);
    expect(run.code).toBe(0);
    const summary = json(run.stdout);
    expect(summary.files.map((file: { file: string }) => file.file)).toEqual([
      'bodies/2026-09.agarch',
      'bodies/2026-10.agarch',
    ]);
    expect(summary).toMatchObject({ bodies: ids.length, waiting: 1, mismatched: [] });
    const text = await cli(['archive', '--older-than', '30d']);
    expect(text.stdout).toMatch(/1 bodies past the cutoff wait: their leaf is not yet integrated/);

    const key = await readArchiveKey(keyFile);
    const stored = new Map(
      (await sql<{ id: string; body: string }>(`select id::text, payload::text as body from api_payloads`)).map(
        (row) => [row.id, row.body],
      ),
    );
    for (const name of ['2026-09', '2026-10']) {
      const file = path.join(archiveDir, 'bodies', `${name}.agarch`);
      const manifest = await readManifest(file);
      expect(manifest.keyId).toBe(key.keyId);
      expect(manifest.checkpoint).toMatch(/^auditgraph\//);
      for await (const frame of readArchiveFrames(file, key))
        for (const line of frame.lines)
          expect(Buffer.from(line.body as string).equals(Buffer.from(stored.get(line.key)!))).toBe(true);
    }
    expect(await sql(`select count(*)::int as n from archived_bodies`)).toEqual([{ n: ids.length }]);
    const events = await sql<{ data: { file: string; records: number } }>(
      `select event_data as data from audit_events where event = 'archive_written' and log_type = 'COMPLIANCE' order by seq`,
    );
    expect(events.map(({ data }) => [data.file, data.records])).toEqual([
      ['bodies/2026-09.agarch', 1],
      ['bodies/2026-10.agarch', ids.length - 1],
    ]);

    // The late body, once under a checkpoint: its month already archived, so a new file — never a rewrite.
    await integrateAndSign(gateway.database.url, logKey);
    const again = json((await cli(['archive', '--older-than', '30d', '--execute', '--format', 'json'])).stdout);
    expect(again.files.map((file: { file: string }) => file.file)).toEqual(['bodies/2026-10.2.agarch']);
    expect(again).toMatchObject({ bodies: 1, waiting: 0 });
    ids.push(late);
    const nothing = json((await cli(['archive', '--older-than', '30d', '--execute', '--format', 'json'])).stdout);
    expect(nothing).toMatchObject({ bodies: 0, files: [] });
    // The index is append-only.
    await expect(sql(`delete from archived_bodies`)).rejects.toThrow();
  });

  test('archive verify: whole, exit 0, recorded', async () => {
    const verified = await cli(['archive', 'verify']);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^archive whole: 3 files, \d+ frames, 9 records match/);
  });

  test('the purge takes only bodies whose copy reads back and matches; a changed file keeps its bodies', async () => {
    // The late body's file loses a byte in its one frame before the purge.
    const lateFile = path.join(archiveDir, 'bodies', '2026-10.2.agarch');
    const [frame] = (await readManifest(lateFile)).frames;
    await flipByte(lateFile, frame!.offset + 20);
    const dry = json((await purge()).stdout);
    expect(dry).toMatchObject({
      executed: false,
      payloads: ids.length - 1,
      kept: { archiveUnreadable: 1, notArchived: 0 },
    });
    const purged = await purge('--execute');
    expect(purged.code).toBe(0);
    expect(json(purged.stdout)).toMatchObject({ payloads: ids.length - 1, kept: { archiveUnreadable: 1 } });
    expect(json(purged.stdout).kept.reasons[0]).toMatch(
      /2026-10\.2\.agarch frame 0 \(bytes \d+–\d+\) fails its authentication tag/,
    );
    expect(
      await sql(`select count(*)::int as n from api_payloads where payload is not null and provider = 'drill'`),
    ).toEqual([{ n: 1 }]);
    const text = await cli(['retention', 'purge', '--older-than', '30d', '--allow-short-window']);
    expect(text.stdout).toMatch(/kept 1 bodies whose archived copy cannot be read back/);

    const named = await cli(['archive', 'verify']);
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(
      /bodies\/2026-10\.2\.agarch frame 0 \(bytes \d+–\d+\) leaves \d+–\d+: .*fails its authentication tag/,
    );
  });

  test('GraphQL answers a purged body from the archive, the same answer as before, and its proof still verifies', async () => {
    const purgedIds = ids.slice(0, -1);
    for (const id of purgedIds) {
      const answer = await readPayload(id);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.apiPayload.payloadSource).toBe('ARCHIVE');
      expect(stringifyExactJson({ apiPayload: { ...answer.data!.apiPayload, payloadSource: 'DATABASE' } })).toBe(
        before.get(id),
      );
      await expectPayloadLeafProves(gateway.database.url, id);
    }
    const kept = await readPayload(ids[ids.length - 1]!);
    expect(kept.data!.apiPayload.payloadSource).toBe('DATABASE');
    // One read per frame: all the purged bodies of a request together.
    const all = await gateway.execute(`{ apiPayloads(first: 50) { nodes { payload payloadSource } } }`);
    expect(all.errors).toBeUndefined();
  });

  test('an archive that changes or goes away: a field error with a stable code, verify exit 1 naming it', async () => {
    const file = path.join(archiveDir, 'bodies', '2026-09.agarch');
    const original = await readFile(file);
    await flipByte(file, original.length - 3);
    const answer = await readPayload(ids[0]!);
    expect(answer.errors?.[0]?.extensions?.code).toBe('ARCHIVE_UNAVAILABLE');
    expect(answer.errors?.[0]?.message).not.toContain(folder);
    const verified = await cli(['archive', 'verify', '--format', 'json']);
    expect(verified.code).toBe(1);
    const findings = json(verified.stdout).findings.map((finding: { file: string }) => finding.file);
    expect(findings).toEqual(expect.arrayContaining(['bodies/2026-09.agarch', 'bodies/2026-10.2.agarch']));

    await writeFile(file, original);
    await truncate(file, original.length - 10);
    expect((await cli(['archive', 'verify'])).stdout).toMatch(/2026-09\.agarch frame 0 .*cut short/);
    await rm(file);
    expect((await cli(['archive', 'verify'])).stdout).toMatch(
      /2026-09\.agarch leaves \d+–\d+: its manifest is here, the file is gone/,
    );
    expect((await readPayload(ids[0]!)).errors?.[0]?.extensions?.code).toBe('ARCHIVE_UNAVAILABLE');
    await writeFile(file, original);
    const manifest = path.join(archiveDir, 'bodies', '2026-10.agarch.manifest.json');
    const manifestText = await readFile(manifest, 'utf8');
    await writeFile(manifest, '{"format": "garbage"');
    expect((await cli(['archive', 'verify'])).stdout).toMatch(
      /2026-10\.agarch leaves \d+–\d+: the manifest .* is not JSON/,
    );
    await rm(manifest);
    expect((await cli(['archive', 'verify'])).stdout).toMatch(
      /2026-10\.agarch leaves \d+–\d+: the file has no manifest/,
    );
    await writeFile(manifest, manifestText);

    const otherKey = path.join(folder, 'other.key');
    const other = await writeNewArchiveKey(otherKey);
    const wrongKey = await cli(['archive', 'verify'], { AUDITGRAPH_ARCHIVE_KEY_FILE: otherKey });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(new RegExp(`written with key [0-9a-f]{16}, not the configured key ${other.keyId}`));
    Object.assign(gateway.settings, { archiveKeyFile: otherKey });
    expect((await readPayload(ids[0]!)).errors?.[0]?.extensions?.code).toBe('ARCHIVE_UNAVAILABLE');
    Object.assign(gateway.settings, { archiveKeyFile: keyFile, archiveDir: path.join(folder, 'unmounted') });
    expect((await readPayload(ids[0]!)).errors?.[0]?.extensions?.code).toBe('ARCHIVE_UNAVAILABLE');
    Object.assign(gateway.settings, { archiveDir });
    expect((await readPayload(ids[0]!)).data!.apiPayload.payloadSource).toBe('ARCHIVE');
    const missingDir = await cli(['archive', 'verify', '--archive-dir', path.join(folder, 'unmounted')]);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stdout).toMatch(/the archive folder cannot be read/);
    expect(await sql(`select count(*)::int as n from audit_events where event = 'archive_verified'`)).not.toEqual([
      { n: 0 },
    ]);
  });
});
