import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { withClient } from './database';
import { startEmbeddedServer } from './embedded-server-process';
import { withDatabase } from './global-setup';

/**
 * The two ways a command finds its database, as a cron script would run it:
 * from a working directory that is not the installation, on a database that
 * starts empty (not even migrated) and that the commands themselves build.
 */
export type CliMode = {
  /** Checks that refuse before any database is opened behave alike in both modes: one mode runs them. */
  runsArgumentChecks: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Runs `work` with a superuser's connection to the commands' database; commands run meanwhile share its server. */
  withServer<T>(work: (url: string) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME });

/**
 * DATABASE_URL unset: the embedded PostgreSQL, its data folder given relative
 * to the working directory (an explicit relative AUDITGRAPH_DATA_DIR is the
 * user's, resolved against where they run the command). Each command starts
 * and stops the server itself unless `withServer` is running it.
 */
export async function embeddedMode(): Promise<CliMode> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'auditgraph-cli-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must reach the folder.
  await chmod(cwd, 0o755);
  return {
    runsArgumentChecks: false,
    env: { ...baseEnv(), AUDITGRAPH_DATA_DIR: 'pg' },
    cwd,
    async withServer(work) {
      const server = await startEmbeddedServer(path.join(cwd, 'pg'));
      try {
        return await work(withDatabase(server.adminUrl, 'auditgraph'));
      } finally {
        await server.stop();
      }
    },
    close: () => rm(cwd, { recursive: true, force: true }),
  };
}

/** DATABASE_URL set, to a database created empty (not cloned from the migrated template). */
export async function databaseUrlMode(): Promise<CliMode> {
  const admin = process.env.AUDITGRAPH_TEST_ADMIN_URL!;
  const name = `auditgraph_cli_${randomBytes(5).toString('hex')}`;
  await withClient(admin, (client: pg.Client) => client.query(`create database ${name}`));
  const url = withDatabase(admin, name);
  const cwd = await mkdtemp(path.join(tmpdir(), 'auditgraph-cli-'));
  return {
    runsArgumentChecks: true,
    env: { ...baseEnv(), DATABASE_URL: url },
    cwd,
    withServer: (work) => work(url),
    async close() {
      await withClient(admin, (client: pg.Client) => client.query(`drop database if exists ${name} with (force)`));
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
