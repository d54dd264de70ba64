import { execFile } from 'node:child_process';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's or a benchmark's own, from the machine's
 * binaries, that it may crash, restart and replicate; the shared server the
 * test files use is never touched. Trust authentication on 127.0.0.1, no
 * Unix socket.
 */
export type OwnCluster = {
  urlFor(database: string): string;
  /** The postmaster's process id (a benchmark sums its backends' CPU time). */
  postmasterPid(): Promise<number>;
  /** Creates an empty database, or a copy of `template` (which must have no session open). */
  createDatabase(name: string, template?: string): Promise<string>;
  /** `pg_ctl restart -m immediate`: every backend killed, no shutdown checkpoint, WAL recovery on start. */
  crashRestart(): Promise<void>;
  /** A hot standby streaming from this cluster: `pg_basebackup -R` into a folder of its own, started. */
  startReplica(): Promise<OwnReplica>;
  stop(): Promise<void>;
};

export type OwnReplica = {
  urlFor(database: string): string;
  postmasterPid(): Promise<number>;
  /** `pg_wal_replay_pause()`: WAL still arrives, none is applied, so the replica falls behind. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has replayed all WAL the primary had flushed when this was called. */
  caughtUp(): Promise<void>;
  /** `pg_ctl stop -m fast`: its sessions are terminated, as in a failover or a maintenance stop. */
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
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

/** The first line of a running cluster's postmaster.pid. */
async function postmasterPidOf(dataDir: string): Promise<number> {
  return Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
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
  const pgCtl = (args: string[], dataDir = data, log = path.join(folder, 'log')) =>
    pgProgram('pg_ctl', ['-D', dataDir, '-l', log, '-w', ...args]);

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
  const replicas: OwnReplica[] = [];

  return {
    urlFor,
    postmasterPid: () => postmasterPidOf(data),
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
    async startReplica() {
      const replicaData = path.join(folder, `replica-${replicas.length + 1}`);
      const replicaLog = `${replicaData}.log`;
      // -R writes standby.signal and primary_conninfo; -X stream brings the WAL written during the copy.
      await pgProgram('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-D',
        replicaData,
        '-R',
        '-X',
        'stream',
        // A fast checkpoint to start from: the default spreads it over checkpoint_timeout's 0.9 (minutes).
        '--checkpoint=fast',
        '--no-sync',
      ]);
      const replicaPort = await freePort();
      await appendFile(path.join(replicaData, 'postgresql.conf'), `\nport = ${replicaPort}\nhot_standby = on\n`);
      const replicaCtl = (args: string[]) => pgCtl(args, replicaData, replicaLog);
      await replicaCtl(['start']);
      const replicaUrlFor = (database: string) => `postgres://postgres@127.0.0.1:${replicaPort}/${database}`;
      const onReplica = async (sql: string) => {
        const client = new pg.Client({ connectionString: replicaUrlFor('postgres') });
        await client.connect();
        try {
          return (await client.query(sql)).rows as Record<string, unknown>[];
        } finally {
          await client.end();
        }
      };
      let replicaRunning = true;
      const replica: OwnReplica = {
        urlFor: replicaUrlFor,
        postmasterPid: () => postmasterPidOf(replicaData),
        pauseReplay: async () => void (await onReplica('select pg_wal_replay_pause()')),
        resumeReplay: async () => void (await onReplica('select pg_wal_replay_resume()')),
        async caughtUp() {
          const primary = new pg.Client({ connectionString: urlFor('postgres') });
          await primary.connect();
          const [{ position }] = (await primary.query('select pg_current_wal_flush_lsn()::text as position')).rows;
          await primary.end();
          for (let tries = 0; tries < 600; tries++) {
            const [row] = await onReplica(`select pg_last_wal_replay_lsn() >= '${position}'::pg_lsn as caught_up`);
            if (row!.caught_up) return;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          throw new Error(`the replica did not replay up to ${position} within 30 s`);
        },
        async stop() {
          await replicaCtl(['-m', 'fast', 'stop']);
          replicaRunning = false;
        },
        async start() {
          await replicaCtl(['start']);
          replicaRunning = true;
        },
        async remove() {
          if (replicaRunning) await replicaCtl(['-m', 'immediate', 'stop']).catch(() => undefined);
          replicaRunning = false;
        },
      };
      replicas.push(replica);
      return replica;
    },
    async stop() {
      for (const replica of replicas) await replica.remove();
      if (running) await pgCtl(['-m', 'immediate', 'stop']).catch(() => undefined);
      running = false;
      await rm(folder, { recursive: true, force: true });
    },
  };
}
