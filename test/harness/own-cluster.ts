import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm, appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, from the machine's binaries, that
 * the test may crash and restart; the shared server the other test files use
 * is never touched. Trust authentication on 127.0.0.1, no Unix socket.
 */
export type OwnCluster = {
  urlFor(database: string): string;
  /** Creates an empty database, or a copy of `template` (which must have no session open). */
  createDatabase(name: string, template?: string): Promise<string>;
  /** `pg_ctl restart -m immediate`: every backend killed, no shutdown checkpoint, WAL recovery on start. */
  crashRestart(): Promise<void>;
  stop(): Promise<void>;
};

/** The folder of pg_ctl and initdb: `pg_config --bindir` (PGBINDIR overrides). */
async function binDir(): Promise<string> {
  if (process.env.PGBINDIR) return process.env.PGBINDIR;
  return (await run('pg_config', ['--bindir'])).stdout.trim();
}

/** A port nothing listens on now (the cluster binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster in a temporary folder. As root, PostgreSQL's programs run as the `postgres` user. */
export async function startOwnCluster(): Promise<OwnCluster> {
  const bin = await binDir();
  const folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-own-cluster-'));
  const data = path.join(folder, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(folder, Number(stdout), Number(group));
  }
  const pgProgram = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args])
      : run(path.join(bin, program), args);
  const pgCtl = (args: string[]) => pgProgram('pg_ctl', ['-D', data, '-l', path.join(folder, 'log'), '-w', ...args]);

  await pgProgram('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  const port = await freePort();
  await appendFile(
    path.join(data, 'postgresql.conf'),
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 50\n`,
  );
  await pgCtl(['start']);
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let running = true;

  return {
    urlFor,
    async createDatabase(name, template) {
      const admin = new pg.Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      try {
        await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
      } finally {
        await admin.end();
      }
      return urlFor(name);
    },
    async crashRestart() {
      await pgCtl(['-m', 'immediate', 'restart']);
    },
    async stop() {
      if (running) await pgCtl(['-m', 'immediate', 'stop']).catch(() => undefined);
      running = false;
      await rm(folder, { recursive: true, force: true });
    },
  };
}
