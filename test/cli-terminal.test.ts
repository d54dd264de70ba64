import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase } from './harness/database';

const { version } = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string };

/** What a person at a terminal, or a cron job, sees of the command line itself. */
describe('the auditgraph command at a terminal', () => {
  let database: TestDatabase;
  /** No LOG_LEVEL: the command's own default decides what it logs. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url };
  });
  afterAll(() => database.drop());

  it('prints its version and that of Node.js, without a configuration', async () => {
    const result = await runCli(['--version'], { PATH: process.env.PATH, DATABASE_URL: 'not a url' });
    expect(result).toEqual({ code: 0, stdout: `auditgraph ${version} (Node.js ${process.version})\n`, stderr: '' });
  });

  it('lists every command and the global options in --help', async () => {
    const result = await runCli(['--help'], env);
    expect(result.code).toBe(0);
    for (const text of ['--version', '--verbose', 'serve', 'seed', 'report', 'verify', 'archive', 'storage'])
      expect(result.stdout).toContain(text);
  });

  it('keeps an ordinary command quiet: its answer on stdout, no log line on stderr, unless --verbose', async () => {
    const quiet = await runCli(['migrate'], env);
    expect(quiet).toEqual({ code: 0, stdout: 'the database is up to date\n', stderr: '' });
    const verbose = await runCli(['keys', 'list', '--format', 'json', '--verbose'], env);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toBe('');
    const failing = await runCli(['--verbose', 'keys', 'revoke', 'nobody'], env);
    expect(failing.code).toBe(2);
    // The debug line says why, once each key (no duplicate "pid"), and the one line for people follows.
    const lines = failing.stderr.trim().split('\n');
    const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string });
    expect(logged.map((line) => line.msg)).toContain('command failed');
    for (const line of lines.filter((text) => text.startsWith('{')))
      expect(line.match(/"pid":/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(lines.at(-1)).toBe('auditgraph: no live key has the id or name "nobody"');
  });

  it('refuses an option a command does not take, with exit 2', async () => {
    const result = await runCli(['storage', '--symbol', 'NVDA'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--symbol'/);
  });
});
