import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './database';

const CLI = path.join(__dirname, '../../dist/src/cli.js');

/** The built CLI (`npm test` builds first), run as a script from cron would run it. */
export function cliPath(): string {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: run `npm run build` (npm test does)');
  return CLI;
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Where commands run unless told: not the installation's folder, as cron runs
 * them from $HOME, so nothing passes only because the working directory is the clone.
 */
const ELSEWHERE = tmpdir();

/** Runs `auditgraph <args>` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd = ELSEWHERE): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export type ServingGateway = { child: ChildProcess; url: string; output: () => string };

/** Starts `auditgraph serve` and resolves once it prints its GraphQL URL. */
export function startServe(args: string[], env: NodeJS.ProcessEnv, cwd = ELSEWHERE): Promise<ServingGateway> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), 'serve', ...args], { env, cwd });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving GraphQL at (\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code} before serving:\n${output}`)));
  });
}

/**
 * Sends SIGINT to a serving gateway and expects the clean exit a Ctrl-C gives
 * (130); anything else fails with what the process printed, so a shutdown
 * that goes wrong only on a busy machine says why.
 */
export async function expectCleanStop(gateway: ServingGateway): Promise<void> {
  const code = await stopProcess(gateway.child, 'SIGINT');
  if (code !== 130) throw new Error(`serve exited with ${code} on SIGINT, not 130; it printed:\n${gateway.output()}`);
}

/** Sends `signal` and waits for the exit code. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  return new Promise((resolve) => {
    // Already gone: exited (exitCode) or killed by a signal (signalCode, exitCode null) — no exit event will come.
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

export async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

/** `serve` on a fresh test database of its own (DATABASE_URL set, quiet but warnings), and how to end both. */
export async function serveOnTestDatabase(
  env: NodeJS.ProcessEnv = {},
): Promise<{ gateway: ServingGateway; stop(): Promise<void> }> {
  const database = await createTestDatabase();
  const gateway = await startServe([], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    ...env,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    gateway,
    stop: async () => {
      await stopProcess(gateway.child);
      await database.drop();
    },
  };
}
