import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { ARCHIVE_LOCK } from '../src/database/advisory-locks';
import { insertPayload } from './harness/archive-drill';
import { archiveFolder } from './harness/archive-folder';
import { type CliResult, cliPath, runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

/**
 * One run that writes the archive or removes bodies at a time: a real
 * `archive --execute` is held inside its run (the test keeps archived_bodies
 * from being written), and meanwhile a second archive run and a purge, each a
 * process of its own, are refused at once; a dry run is not.
 */
let database: TestDatabase;
let folder: string;
let env: NodeJS.ProcessEnv;
let logKey: LogKey;

beforeAll(async () => {
  database = await createTestDatabase();
  const archive = await archiveFolder('archive-lock');
  folder = archive.folder;
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    ...archive.env,
  };
  for (let n = 0; n < 3; n++) await insertPayload(database.url, `{"n": ${n}}`, '2025-03-0' + (n + 1) + 'T00:00:00Z');
  logKey = await createLogKey(folder);
  await integrateAndSign(database.url, logKey);
});
afterAll(async () => {
  await database.drop();
  await rm(folder, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, env);

/** A CLI process left running, its result once it ends. */
function startCli(args: string[]): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cliPath(), ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

type Holder = { pid: number; application_name: string };
/** On a connection of its own each time: within one transaction pg_stat_activity is a snapshot that never changes. */
const holderNow = (): Promise<Holder | undefined> =>
  withClient(
    database.url,
    async (client) =>
      (
        await client.query<Holder>(
          `select a.pid, a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objid::bigint = $1::bigint & 4294967295`,
          [ARCHIVE_LOCK],
        )
      ).rows[0],
  );
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

/** The session holding the archive lock, once one does; fails with its output if `run` ends first. */
async function lockHolder(run: Promise<CliResult>): Promise<Holder> {
  let ended: CliResult | undefined;
  void run.then((result) => (ended = result));
  for (let holder; ; await pause()) {
    if ((holder = await holderNow())) return holder;
    if (ended) throw new Error(`the run ended before it held the lock: ${JSON.stringify(ended)}`);
  }
}

test('a second archive run and a purge are refused while one archive run holds the lock; a dry run is not', async () => {
  await withClient(database.url, async (blocker) => {
    // Reads go on; the first run's index insert waits, after it took the lock and wrote its file.
    await blocker.query('begin');
    await blocker.query('lock table archived_bodies in share mode');
    const first = startCli(['archive', '--older-than', '30d', '--execute', '--format', 'json']);
    const holder = await lockHolder(first.done);
    expect(holder.application_name).toBe('auditgraph archive --execute');

    const second = await cli(['archive', '--older-than', '30d', '--execute']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(
        `ARCHIVE_IN_PROGRESS: "auditgraph archive --execute" \\(server pid ${holder.pid}, connected since .*\\) holds the archive lock; this run \\(archive --execute\\) was refused`,
      ),
    );
    const purge = await cli(['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--execute']);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toMatch(/ARCHIVE_IN_PROGRESS: .* this run \(retention purge --execute\) was refused/);
    const dryRun = await cli(['retention', 'purge', '--older-than', '30d', '--allow-short-window']);
    expect(dryRun.code).toBe(0);
    const events = await blocker.query(`select count(*)::int as n from audit_events where event = 'retention_purge'`);
    expect(events.rows).toEqual([{ n: 0 }]);

    await blocker.query('commit');
    const finished = await first.done;
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ bodies: 3 });
  });
  // Released when the run ends: the next takes it.
  const purge = await cli(['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--execute']);
  expect(purge.code).toBe(0);
});

test('a run that dies holding the lock holds nothing: the server frees it with its connection', async () => {
  await withClient(database.url, async (blocker) => {
    await insertPayload(database.url, '{"late": 1}', '2025-04-01T00:00:00Z');
    await integrateAndSign(database.url, logKey);
    await blocker.query('begin');
    await blocker.query('lock table archived_bodies in share mode');
    const first = startCli(['archive', '--older-than', '30d', '--execute']);
    await lockHolder(first.done);
    process.kill(first.pid, 'SIGKILL');
    await first.done;
    // The server notices the closed connection on its own time; once it has, the lock is free.
    while (await holderNow()) await pause();
    await blocker.query('rollback');
  });
  const next = await cli(['archive', '--older-than', '30d', '--execute', '--format', 'json']);
  expect(next.code).toBe(0);
});
