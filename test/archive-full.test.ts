import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import type pg from 'pg';
import { readArchiveFrames } from '../src/archive/archive-file';
import { type ArchiveKey, readArchiveKey, writeNewArchiveKey } from '../src/archive/archive-key';
import { rangeFindings, type RecordedRange } from '../src/archive/verify-records';
import type { LeafLine } from '../src/restore/export-layout';
import { flipByte } from './harness/archive-drill';
import { runCli } from './harness/cli';
import { type CliMode, databaseUrlMode, embeddedMode } from './harness/cli-modes';
import { withClient } from './harness/database';
import { createLogKey } from './harness/proof-log';

/**
 * `archive --full` (issue 17 part 1: "and, for a full archive, every record"),
 * run as cron runs it — from another working directory, on a database the
 * commands build themselves — with DATABASE_URL unset (the embedded
 * PostgreSQL) and set: every leaf with its rows, read back byte-exact, one
 * consecutive range per run, checked by `archive verify`, and a changed or
 * missing records file named.
 */
describe.each([
  ['with DATABASE_URL unset (embedded PostgreSQL)', embeddedMode],
  ['against DATABASE_URL', databaseUrlMode],
])('archive --full %s', (_name, makeMode) => {
  let mode: CliMode;
  let archiveDir: string;
  let key: ArchiveKey;
  let env: NodeJS.ProcessEnv;
  const run = (...args: string[]) => runCli(args, env, mode.cwd);
  const runJson = async (...args: string[]) => {
    const result = await run(...args, '--format', 'json');
    expect(result).toMatchObject({ code: 0 });
    return JSON.parse(result.stdout);
  };
  const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    mode.withServer((url) => withClient(url, async (client) => (await client.query<T>(text, values)).rows));
  const recordsFiles = async () =>
    (await readdir(path.join(archiveDir, 'records')).catch(() => [] as string[])).filter((name) =>
      name.endsWith('.agarch'),
    );

  beforeAll(async () => {
    mode = await makeMode();
    archiveDir = path.join(mode.cwd, 'archive');
    await mkdir(archiveDir);
    const keyFile = path.join(mode.cwd, 'archive.key');
    await writeNewArchiveKey(keyFile);
    key = await readArchiveKey(keyFile);
    const logKey = await createLogKey(mode.cwd);
    env = {
      ...mode.env,
      LOG_LEVEL: 'warn',
      AUDITGRAPH_ARCHIVE_DIR: archiveDir,
      AUDITGRAPH_ARCHIVE_KEY_FILE: keyFile,
      AUDITGRAPH_CHECKPOINT_KEY_FILE: logKey.keyFile,
      AUDITGRAPH_CHECKPOINT_INTERVAL_S: '0',
    };
    for (const args of [['migrate'], ['seed', '--scale', '0.01', '--anchor', '2025-10-01'], ['integrate']])
      expect(await run(...args)).toMatchObject({ code: 0 });
  });
  afterAll(() => mode.close());

  test('plans the leaves integrated before the cutoff, from leaf 0; the hot window keeps just-integrated ones out', async () => {
    const [{ leaves }] = await sql<{ leaves: number }>(`select count(*)::int as leaves from merkle_leaves`);
    const all = await runJson('archive', '--full', '--older-than', '0d');
    expect(all.records).toMatchObject({ executed: false, firstLeaf: 0, endLeaf: leaves, files: [] });
    const hot = await runJson('archive', '--full');
    expect(hot.records).toMatchObject({ firstLeaf: 0, endLeaf: 0, files: [] });
    // The longest window the option takes puts the cutoff before year 1 (an ISO text PostgreSQL cannot read).
    const oldest = await runJson('archive', '--full', '--older-than', '999999d');
    expect(oldest.records).toMatchObject({ firstLeaf: 0, endLeaf: 0, files: [] });
    const text = await run('archive', '--full', '--older-than', '0d');
    expect(text.stdout).toContain(`full archive, dry run: would archive ${leaves} records (leaves 0–${leaves - 1})`);
    expect(await recordsFiles()).toEqual([]);
  });

  test('writes every leaf with its rows, as PostgreSQL has them, read back, recorded; archive verify: whole', async () => {
    const summary = await runJson('archive', '--full', '--older-than', '0d', '--execute');
    const [{ leaves }] = await sql<{ leaves: number }>(
      `select count(*)::int as leaves from merkle_leaves where leaf_index < $1`,
      [summary.records.endLeaf],
    );
    expect(summary.records.files).toEqual([
      expect.objectContaining({ firstLeaf: 0, lastLeaf: leaves - 1, file: expect.stringMatching(/^records\/leaves-/) }),
    ]);
    const file = path.join(archiveDir, summary.records.files[0].file);
    const lines: LeafLine[] = [];
    for await (const frame of readArchiveFrames(file, key)) lines.push(...(frame.lines as LeafLine[]));
    expect(lines.map((line) => line.leafIndex)).toEqual([...Array(leaves).keys()]);
    const tree = await sql<{ hash: string; source: string; key: string }>(
      `select encode(leaf_hash, 'hex') as hash, source, record_key as key from merkle_leaves where leaf_index < $1 order by leaf_index`,
      [leaves],
    );
    expect(lines.map(({ leafHash, source, key: recordKey }) => ({ hash: leafHash, source, key: recordKey }))).toEqual(
      tree,
    );
    // Bodies and decimals byte-exact: each column is the database's own text of it.
    const payloads = await sql<{ id: string; payload: string }>(
      `select id::text, payload::text from api_payloads order by id`,
    );
    const archived = new Map(
      lines.filter((line) => line.source === 'api_payloads').map((line) => [line.key, line.rows[0]!.payload]),
    );
    expect(payloads.length).toBeGreaterThan(0);
    for (const { id, payload } of payloads) expect(archived.get(id)).toBe(payload);
    const decisions = await sql<{ id: string; quantity: string }>(
      `select id::text, quantity::text from trade_decisions`,
    );
    const decisionLines = new Map(
      lines.filter((line) => line.source === 'trade_decisions').map((line) => [line.key, line.rows[0]!.quantity]),
    );
    for (const { id, quantity } of decisions) expect(decisionLines.get(id)).toBe(quantity);
    const events = await sql<{ data: Record<string, unknown> }>(
      `select event_data as data from audit_events where event = 'archive_written' and event_data ->> 'folder' = 'records'`,
    );
    expect(events).toEqual([
      {
        data: expect.objectContaining({
          file: summary.records.files[0].file,
          firstLeaf: 0,
          lastLeaf: leaves - 1,
          sha256: summary.records.files[0].sha256,
        }),
      },
    ]);
    const verified = await run('archive', 'verify');
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^archive whole: \d+ files, \d+ frames, \d+ records match/);
  });

  test('a later run continues where the last stopped, never rewriting a file; with nothing new it writes nothing', async () => {
    const before = await recordsFiles();
    // The archive's own events are records too: integrated, they are the next range.
    expect(await run('integrate')).toMatchObject({ code: 0 });
    const [first] = (await sql<{ last: number }>(
      `select (event_data ->> 'lastLeaf')::int as last from audit_events
        where event = 'archive_written' and event_data ->> 'folder' = 'records' order by seq desc limit 1`,
    ))!;
    const next = await runJson('archive', '--full', '--older-than', '0d', '--execute');
    expect(next.records.firstLeaf).toBe(first!.last + 1);
    expect(next.records.files).toEqual([expect.objectContaining({ firstLeaf: first!.last + 1 })]);
    expect((await recordsFiles()).filter((name) => !before.includes(name))).toHaveLength(1);
    const nothing = await runJson('archive', '--full', '--older-than', '0d', '--execute');
    expect(nothing.records).toMatchObject({ files: [] });
    expect(nothing.records.endLeaf).toBe(nothing.records.firstLeaf);
    expect(await run('archive', 'verify')).toMatchObject({ code: 0 });
  });

  test('archive verify names a changed byte, a missing file and a file the record does not name (exit 1)', async () => {
    const [name] = (await recordsFiles()).sort();
    const file = path.join(archiveDir, 'records', name!);
    const original = await readFile(file);
    await flipByte(file, Math.floor(original.length / 2));
    const flipped = await run('archive', 'verify');
    expect(flipped.code).toBe(1);
    expect(flipped.stdout).toMatch(
      new RegExp(`records/${name!.replaceAll('.', '\\.')} frame \\d+ \\(bytes \\d+–\\d+\\)`),
    );
    await writeFile(file, original);
    await rename(file, `${file}.aside`);
    const missing = await run('archive', 'verify');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(
      new RegExp(`records/${name!.replaceAll('.', '\\.')} leaves 0–\\d+: its manifest is here, the file is gone`),
    );
    await rename(`${file}.aside`, file);
    const manifestText = await readFile(`${file}.manifest.json`, 'utf8');
    const forged = JSON.parse(manifestText);
    forged.records[1].leafHash = 'f'.repeat(64);
    await writeFile(`${file}.manifest.json`, JSON.stringify(forged));
    const forgedRun = await run('archive', 'verify');
    expect(forgedRun.code).toBe(1);
    expect(forgedRun.stdout).toMatch(
      /frame 0 \(bytes \d+–\d+\) leaves 1–1: 1 lines do not match the manifest or the tree's leaves/,
    );
    await writeFile(`${file}.manifest.json`, manifestText);
    const stranger = path.join(archiveDir, 'records', 'leaves-999999999990-999999999999.agarch');
    await copyFile(file, stranger);
    await copyFile(`${file}.manifest.json`, `${stranger}.manifest.json`);
    const foreign = await run('archive', 'verify');
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('records/leaves-999999999990-999999999999.agarch: the manifest');
    await rm(stranger);
    await rm(`${stranger}.manifest.json`);
    expect(await run('archive', 'verify')).toMatchObject({ code: 0 });
  });

  test('a file already at the next range’s name stops the run (exit 2), recording nothing', async () => {
    expect(await run('integrate')).toMatchObject({ code: 0 });
    const plan = await runJson('archive', '--full', '--older-than', '0d');
    const { firstLeaf, endLeaf } = plan.records;
    expect(endLeaf).toBeGreaterThan(firstLeaf);
    const pad = (index: number) => String(index).padStart(12, '0');
    const leftover = path.join(archiveDir, 'records', `leaves-${pad(firstLeaf)}-${pad(endLeaf - 1)}.agarch`);
    await writeFile(leftover, 'a file a failed run left');
    const refused = await run('archive', '--full', '--older-than', '0d', '--execute');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is already in the archive, but no archive_written event names it/);
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from audit_events where event = 'archive_written' and (event_data ->> 'firstLeaf')::int = $1
          and event_data ->> 'folder' = 'records'`,
      [firstLeaf],
    );
    expect(n).toBe(0);
    await rm(leftover);
    const done = await runJson('archive', '--full', '--older-than', '0d', '--execute');
    expect(done.records.files).toEqual([expect.objectContaining({ firstLeaf, lastLeaf: endLeaf - 1 })]);
    expect(await run('archive', 'verify')).toMatchObject({ code: 0 });
  });
});

describe('the recorded ranges of a full archive', () => {
  const tiling = fc
    .array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 })
    .map((sizes): RecordedRange[] => {
      let next = 0;
      return sizes.map((size, at) => {
        const range = { file: `f${at}`, firstLeaf: next, lastLeaf: next + size - 1, sha256: '' };
        next += size;
        return range;
      });
    });

  test('ranges that tile 0 … n − 1 have no finding', () =>
    fc.assert(fc.property(tiling, (ranges) => expect(rangeFindings(ranges)).toEqual([]))));

  test('a hole or an overlap anywhere is named, at the file after it, with the leaves concerned', () =>
    fc.assert(
      fc.property(tiling, fc.nat(), fc.integer({ min: -5, max: 5 }), (ranges, pick, shift) => {
        fc.pre(shift !== 0);
        const at = pick % ranges.length;
        const size = ranges[at]!.lastLeaf - ranges[at]!.firstLeaf + 1;
        // Leaf indexes start at 0; an overlap of more than the file itself would overlap the files after it too.
        fc.pre(shift > 0 || (at > 0 && -shift <= size));
        const moved = ranges.map((range, index) =>
          index < at ? range : { ...range, firstLeaf: range.firstLeaf + shift, lastLeaf: range.lastLeaf + shift },
        );
        const findings = rangeFindings(moved);
        expect(findings).toEqual([expect.objectContaining({ file: `f${at}` })]);
        const first = ranges[at]!.firstLeaf;
        expect(findings[0]!.leaves).toEqual(shift > 0 ? [first, first + shift - 1] : [first + shift, first - 1]);
      }),
    ));
});
