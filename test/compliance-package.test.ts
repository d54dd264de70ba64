import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { BadInputError } from '../src/base/errors';
import { REPORTS } from '../src/reports/report-catalog';
import { MAX_PACKAGE_DAYS, packagePeriod } from '../src/reports/package-period';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

// `auditgraph package` of a seeded quarter, as an examiner receives it, and
// `verify-bundle --package` run where no database is: every section there,
// every tampering named; hostile periods refused with stable codes; the
// GraphQL index the same as the signed manifest.

let gateway: TestGateway;
let key: LogKey;
let folder: string;
const env = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: gateway.database.url,
  AUDITGRAPH_CHECKPOINT_KEY_FILE: key.keyFile,
  AUDITGRAPH_ACTOR: 'examiner-liaison',
});
/** The examiner's machine: no database configured, none started. */
const offline = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, AUDITGRAPH_DATA_DIR: '/nonexistent' });
const at = (...names: string[]) => path.join(folder, ...names);
const verify = (dir: string, verifierKey = key.verifierKey) =>
  runCli(['verify-bundle', '--package', dir, '--key', verifierKey], offline());

/** A NAV point, a risk event and a compliance event of the quarter, with numbers no double holds. */
const EVENTS = [
  ['NAV', 'nav_calculated', '{"nav": 1234567.123456789012345678, "currency": "USD"}'],
  [
    'RISK',
    'risk_limit_breached',
    '{"limit": 0.10000000000000000001, "symbol": "NVDA", "note": "Ünïcødé ✓ \\u00e9 \\ud83d\\ude00"}',
  ],
  ['COMPLIANCE', 'best_execution_review', '{"reviewer": "compliance", "exceptions": 0}'],
] as const;

beforeAll(async () => {
  gateway = await startTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-package-'));
  key = await createLogKey(folder);
  const seeded = await runCli(['seed', '--scale', '0.01', '--anchor', '2026-10-15T00:00:00Z'], env());
  if (seeded.code !== 0) throw new Error(`seed exited ${seeded.code}: ${seeded.stderr}`);
  await integrateAndSign(gateway.database.url, key);
  // Events a producer writes later, dated inside the quarter: the second checkpoint holds them.
  await withClient(gateway.database.url, async (client) => {
    for (const [logType, event, data] of EVENTS)
      await client.query(
        `insert into audit_events (log_type, event, event_data, actor, occurred_at)
           values ($1, $2, $3::jsonb, 'producer', '2026-08-14T12:00:00Z')`,
        [logType, event, data],
      );
  });
  await integrateAndSign(gateway.database.url, key);
}, 120_000);
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

describe('auditgraph package of a seeded quarter', () => {
  let manifest: string;

  beforeAll(async () => {
    const written = await runCli(['package', '--quarter', '2026Q3', '--to-dir', at('q3'), '--format', 'json'], env());
    expect(written).toMatchObject({ code: 0, stderr: '' });
    manifest = await readFile(at('q3', 'MANIFEST.note'), 'utf8');
  }, 120_000);

  test('every section is there, the events byte-exact, and nothing half-written beside it', async () => {
    const files = manifest
      .split('\n\n')[0]!
      .split('\n')
      .slice(2)
      .map((line) => line.split(' ')[2]);
    for (const name of Object.keys(REPORTS).filter((name) => name !== 'symbol'))
      expect(files).toEqual(expect.arrayContaining([`reports/${name}.csv`, `reports/${name}.json`]));
    expect(files.filter((file) => file!.startsWith('reports/symbol/')).length).toBeGreaterThan(0);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.txt',
        'integrity.csv',
        'integrity.json',
        'nav.csv',
        'events/NAV.jsonl',
        'events/RISK.jsonl',
        'events/COMPLIANCE.jsonl',
        'checkpoints/first.checkpoint',
        'checkpoints/last.checkpoint',
        'checkpoints/consistency.json',
      ]),
    );
    const blotter = await readFile(at('q3', 'reports/trade-blotter.csv'), 'utf8');
    expect(blotter.split('\n').length).toBeGreaterThan(2);
    expect(await readFile(at('q3', 'nav.csv'), 'utf8')).toContain('1234567.123456789012345678');
    const risk = (await readFile(at('q3', 'events/RISK.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(risk).toContainEqual(
      expect.objectContaining({
        event: 'risk_limit_breached',
        occurredAt: '2026-08-14T12:00:00.000000Z',
        eventData: expect.stringContaining('0.10000000000000000001'),
      }),
    );
    const readme = await readFile(at('q3', 'README.txt'), 'utf8');
    for (const file of files) expect(readme).toContain(`  ${file}\n`);
    const consistency = JSON.parse(await readFile(at('q3', 'checkpoints/consistency.json'), 'utf8'));
    expect(consistency.from).toBeLessThan(consistency.to);
    expect(consistency.proof.length).toBeGreaterThan(0);
    expect((await readdir(folder)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  test('a compliance_package_written event names the manifest hash and the actor', async () => {
    const text = manifest.slice(0, manifest.lastIndexOf('\n\n') + 1);
    const sha256 = createHash('sha256').update(text).digest('hex');
    const { rows } = await withClient(gateway.database.url, (client) =>
      client.query(`select actor, event_data from audit_events where event = 'compliance_package_written'`),
    );
    expect(rows).toEqual([
      {
        actor: 'examiner-liaison',
        event_data: expect.objectContaining({ from: '2026-07-01', to: '2026-09-30', manifestSha256: sha256 }),
      },
    ]);
  });

  test('verify-bundle --package passes offline, naming the checkpoints it found consistent', async () => {
    const verified = await verify(at('q3'));
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^verified: compliance package .* checkpoints \d+ → \d+ consistent\n$/);
  });

  test.each([
    [
      'a flipped byte',
      'nav.csv',
      async (dir: string) => flipByte(path.join(dir, 'nav.csv')),
      /FAILED: nav\.csv: \d+ bytes with SHA-256/,
    ],
    [
      'a deleted file',
      'integrity.csv',
      (dir: string) => rm(path.join(dir, 'integrity.csv')),
      /FAILED: integrity\.csv is missing/,
    ],
    [
      'an added file',
      'notes.txt',
      (dir: string) => writeFile(path.join(dir, 'events', 'notes.txt'), 'x'),
      /FAILED: events\/notes\.txt is not in the manifest/,
    ],
    [
      'a changed manifest',
      'MANIFEST.note',
      async (dir: string) => flipByte(path.join(dir, 'MANIFEST.note'), 60),
      /FAILED: MANIFEST\.note: the manifest does not verify/,
    ],
    [
      'a deleted manifest',
      'MANIFEST.note',
      (dir: string) => rm(path.join(dir, 'MANIFEST.note')),
      /FAILED: MANIFEST\.note is missing/,
    ],
  ])('%s (%s): exit 1, named', async (what, _file, tamper, failure) => {
    const dir = at(`tampered-${what.replace(/\W+/g, '-')}`);
    await cp(at('q3'), dir, { recursive: true });
    await tamper(dir);
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(failure);
    expect(result.stdout).toMatch(/NOT VERIFIED: \d+ problems?\n$/);
  });

  test("another log's key: exit 1; a key that is not one, a folder that is not there: exit 2", async () => {
    const other = await createLogKey(folder, 'someone-else');
    const wrong = await verify(at('q3'), other.verifierKey);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('FAILED: MANIFEST.note: the manifest does not verify');
    expect(await verify(at('q3'), 'not a key')).toMatchObject({ code: 2, stdout: '' });
    const missing = await verify(at('nowhere'));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^auditgraph: --package .*nowhere: .*is not a folder/);
    const both = await runCli(['verify-bundle', 'x.json', '--package', at('q3'), '--key', key.verifierKey], offline());
    expect(both).toMatchObject({ code: 2 });
  });

  test('a folder that is not empty is refused and left alone; --force replaces it whole', async () => {
    await mkdir(at('busy'));
    await writeFile(at('busy', 'keep.txt'), 'mine');
    const refused = await runCli(
      ['package', '--from', '2026-08-14', '--to', '2026-08-14', '--to-dir', at('busy')],
      env(),
    );
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/^auditgraph: .*busy is not empty: pass --force/);
    expect(await readdir(at('busy'))).toEqual(['keep.txt']);
    const forced = await runCli(
      ['package', '--from', '2026-08-14', '--to', '2026-08-14', '--to-dir', at('busy'), '--force'],
      env(),
    );
    expect(forced.code).toBe(0);
    expect(await readdir(at('busy'))).not.toContain('keep.txt');
    expect((await verify(at('busy'))).code).toBe(0);
    expect((await readdir(folder)).filter((name) => /\.(partial|replaced)-/.test(name))).toEqual([]);
  });

  test('the GraphQL index is the manifest: every path, hash and size, and the manifest hash', async () => {
    const result = await gateway.execute(
      `{ compliancePackage(quarter: "2026Q3") { from to manifestSha256 files { path sha256 bytes description } } }`,
    );
    expect(result.errors).toBeUndefined();
    const index = result.data!.compliancePackage;
    const text = manifest.slice(0, manifest.lastIndexOf('\n\n') + 1);
    expect(index.manifestSha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(
      index.files.map(
        (file: { path: string; sha256: string; bytes: number }) => `${file.sha256} ${file.bytes} ${file.path}`,
      ),
    ).toEqual(text.trim().split('\n').slice(2));
    expect(index.files.every((file: { description: string }) => file.description.length > 0)).toBe(true);
  });
});

async function flipByte(file: string, position = 0): Promise<void> {
  const bytes = await readFile(file);
  bytes[position] = bytes[position]! ^ 0x01;
  await writeFile(file, bytes);
}

describe('hostile periods', () => {
  test.each([
    [['--from', '2026-09-30', '--to', '2026-07-01'], /`from` \(2026-09-30\) must not be after `to`/],
    [['--from', '2026-02-30', '--to', '2026-03-01'], /`from` must be a date as YYYY-MM-DD/],
    [['--from', 'someday', '--to', '2026-03-01'], /`from` must be a date/],
    [['--from', '２０２６-０１-０１', '--to', '2026-03-01'], /`from` must be a date/],
    [['--from', '0000-12-31', '--to', '0001-01-01'], /`from` must be a date/],
    [['--from', '2026-01-01', '--to', '10000-01-01'], /`to` must be a date/],
    [['--from', '2025-01-01', '--to', '2026-01-02'], new RegExp(`at most ${MAX_PACKAGE_DAYS} days`)],
    [['--quarter', '2026Q5'], /`quarter` must look like 2026Q3/],
    [['--quarter', '2026Q3', '--from', '2026-07-01', '--to', '2026-07-02'], /either a quarter or from and to/],
    [['--from', '2026-07-01'], /a quarter \(2026Q3\), or both from and to/],
  ])('%j: exit 2, nothing written', async (args, message) => {
    const result = await runCli(['package', ...args, '--to-dir', at('hostile')], env());
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    await expect(readdir(at('hostile'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('the last day of the range is a period of its own', async () => {
    const edge = await runCli(['package', '--from', '9999-12-31', '--to', '9999-12-31', '--to-dir', at('edge')], env());
    expect(edge.code).toBe(0);
    expect((await verify(at('edge'))).code).toBe(0);
  });

  test('GraphQL refuses them with BAD_USER_INPUT', async () => {
    for (const args of [
      'from: "2026-09-30", to: "2026-07-01"',
      'quarter: "Q3"',
      'from: "2026-07-01"',
      'quarter: "0000Q1"',
    ]) {
      const result = await gateway.execute(`{ compliancePackage(${args}) { manifestSha256 } }`);
      expect({ args, codes: result.errors?.map((error) => error.extensions?.code) }).toEqual({
        args,
        codes: ['BAD_USER_INPUT'],
      });
    }
  });

  test('for any text, a period is a range of at most the limit or a BadInputError', () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.string(), fc.constantFrom('2026Q1', '9999Q4', '0001Q1'))),
        fc.option(
          fc.oneof(
            fc.string(),
            fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10))),
          ),
        ),
        fc.option(
          fc.oneof(
            fc.string(),
            fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10))),
          ),
        ),
        (quarter, from, to) => {
          try {
            const period = packagePeriod({ quarter, from, to });
            expect(period.fromDay <= period.toDay).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(BadInputError);
          }
        },
      ),
    );
  });
});
