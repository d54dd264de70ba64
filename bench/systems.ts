import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SystemName } from './workloads';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli.js');

export type RunningSystem = {
  name: SystemName;
  origin: string;
  /** Sent with every request (the gateway's API key). */
  headers: Record<string, string>;
  child: ChildProcess;
  stop(): Promise<void>;
};

/** Starts a server process and waits for the line that gives its URL. */
function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`${command} ${args.join(' ')} did not start in 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      // Keep only the start-up output: a server's request logs are read and dropped, never kept.
      if (output.length < 100_000) output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/**
 * `auditgraph integrate`: every committed record into the Merkle tree, before a gateway starts, so its
 * background integrator has only the run's own records to add (a fresh dataset's catch-up would be measured).
 */
export async function integrateAll(databaseUrl: string): Promise<void> {
  await promisify(execFile)(process.execPath, [cli, 'integrate'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A new API key of `role` in the database (`auditgraph keys create`): its secret. */
export function createKey(databaseUrl: string, role: 'investigator' | 'writer' | 'admin'): string {
  return execFileSync(
    process.execPath,
    [cli, 'keys', 'create', '--name', `bench-${role}-${Date.now()}`, '--role', role],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
    .toString()
    .trim();
}

/**
 * The gateway as production runs it: the built CLI, NODE_ENV=production,
 * keys required (an investigator key made with `auditgraph keys create`),
 * query audit log, metrics and request logs on. Only the rate limit is raised,
 * so the load generator measures the gateway rather than its limiter.
 * `env` adds to its environment (e.g. AUDITGRAPH_INTEGRATE_INTERVAL_MS).
 */
export async function startGateway(
  databaseUrl: string,
  poolMax: number,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningSystem> {
  const secret = createKey(databaseUrl, 'investigator');
  const { child, url } = await startProcess(
    process.execPath,
    [cli, 'serve', '--no-migrate'],
    {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      PORT: '0',
      AUDITGRAPH_DB_POOL_MAX: String(poolMax),
      AUDITGRAPH_RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    /serving GraphQL at (http:\/\/\S+)\/graphql/,
  );
  return { name: 'gateway', origin: url, headers: { authorization: `Bearer ${secret}` }, child, stop: stopper(child) };
}

/** The raw-SQL floor (bench/raw-floor/server.ts), built to dist. */
export async function startFloor(databaseUrl: string, poolMax: number): Promise<RunningSystem> {
  const { child, url } = await startProcess(
    process.execPath,
    [path.join(root, 'dist', 'bench', 'raw-floor', 'server.js')],
    { DATABASE_URL: databaseUrl, POOL_MAX: String(poolMax), PORT: '0' },
    /raw floor serving at (http:\/\/\S+)/,
  );
  return { name: 'floor', origin: url, headers: {}, child, stop: stopper(child) };
}

/** PostGraphile 5.1 over the same database, run by the Node 22 binary of the `node` devDependency. */
export async function startPostGraphile(databaseUrl: string, poolMax: number, port: number): Promise<RunningSystem> {
  // A package of its own (bench/postgraphile), installed by `prebench`.
  const peer = path.join(root, 'bench', 'postgraphile');
  const node22 = path.join(peer, 'node_modules', 'node', 'bin', 'node');
  const { child, url } = await startProcess(
    node22,
    [
      path.join(peer, 'node_modules', 'postgraphile', 'dist', 'cli-run.js'),
      '-C',
      path.join(peer, 'graphile.config.mjs'),
    ],
    {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      POOL_MAX: String(poolMax),
      GRAPHILE_ENV: 'production',
      NODE_ENV: 'production',
    },
    /Server listening on port \d+ at (http:\/\/\S+)\/graphql/,
  );
  return { name: 'postgraphile', origin: url, headers: {}, child, stop: stopper(child) };
}

/** Peak resident memory of a process (VmHWM), in MiB. */
export function peakRssMiB(child: ChildProcess): number | undefined {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}
