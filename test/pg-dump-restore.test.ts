import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withClient } from './harness/database';
import { runCli } from './harness/cli';

/**
 * A physical backup's round trip (README "Backups"): pg_dump of a database
 * holding a record, pg_restore into a fresh database, and `auditgraph
 * verify` there passes with the same tree head. Always on the machine's own
 * PostgreSQL (127.0.0.1:5432, started by .ci/run in CI) with its own
 * pg_dump, in both test modes: a DATABASE_URL deployment is what pg_dump backs up.
 */
const SERVER = 'postgres://postgres@127.0.0.1:5432';
const bin = (tool: string) => {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const found = versions
    .map((version) => `/usr/lib/postgresql/${version}/bin/${tool}`)
    .find((file) => existsSync(file));
  if (!found) throw new Error(`no ${tool} under /usr/lib/postgresql/*/bin`);
  return found;
};

jest.setTimeout(300_000);

describe('pg_dump → pg_restore → verify on the machine PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  const source = `auditgraph_dump_${suffix}_source`;
  const copy = `auditgraph_dump_${suffix}_copy`;
  const work = mkdtempSync(path.join(tmpdir(), 'auditgraph-dump-'));
  const admin = (sql: string) => withClient(`${SERVER}/postgres`, (client) => client.query(sql));

  beforeAll(async () => {
    await admin(`create database ${source}`);
    await admin(`create database ${copy}`);
  });
  afterAll(async () => {
    await admin(`drop database if exists ${source} with (force)`);
    await admin(`drop database if exists ${copy} with (force)`);
    rmSync(work, { recursive: true, force: true });
  });

  it('restores a dump that verifies intact with the same head', async () => {
    const keyFile = path.join(work, 'checkpoint.key');
    const env = (database: string) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AUDITGRAPH_ACTOR: 'backup-test',
      AUDITGRAPH_CHECKPOINT_KEY_FILE: keyFile,
      DATABASE_URL: `${SERVER}/${database}`,
    });
    expect((await runCli(['checkpoint', 'keygen', '--name', 'backup.test', '--out', keyFile], env(source))).code).toBe(
      0,
    );
    expect((await runCli(['seed', '--scale', '0.01'], env(source))).code).toBe(0);
    expect((await runCli(['integrate'], env(source))).code).toBe(0);
    const before = await runCli(['verify', '--format', 'json'], env(source));
    expect(before.code).toBe(0);

    const dump = path.join(work, 'record.dump');
    execFileSync(bin('pg_dump'), ['--format=custom', `--file=${dump}`, `${SERVER}/${source}`]);
    execFileSync(bin('pg_restore'), ['--exit-on-error', '--no-owner', `--dbname=${SERVER}/${copy}`, dump]);

    const after = await runCli(['verify', '--format', 'json'], env(copy));
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const head = (text: string) => {
      const { treeSize, rootHash, intact } = JSON.parse(text);
      return { treeSize: Number(treeSize), rootHash, intact };
    };
    expect(head(after.stdout)).toEqual(head(before.stdout));
    expect(head(after.stdout).treeSize).toBeGreaterThan(0);
  });
});
