import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../base/config';
import { logger } from '../base/logger';
import { startEmbeddedPostgres } from './embedded-postgres';
import { DatabaseNotMigratedError } from './migrations';

export type DatabaseTarget = {
  url: string;
  /** True when this process started the embedded server (and may seed demo data). */
  embedded: boolean;
  stop(): Promise<void>;
};

/**
 * The database every command works on: the server `DATABASE_URL` names, or
 * else the embedded PostgreSQL kept under the project's data folder.
 *
 * Only commands that build a database (`serve`, `migrate`, `seed`) may create
 * the embedded cluster: any other command pointed at a folder that holds none
 * would only find an empty database, so it is refused before initdb runs.
 */
export async function openDatabaseTarget(
  config: Config,
  options: { create: boolean } = { create: true },
): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  if (!options.create && !existsSync(path.join(config.dataDir, 'PG_VERSION'))) {
    throw new DatabaseNotMigratedError(
      `there is no embedded database in ${config.dataDir} (DATABASE_URL is unset): ` +
        'run `auditgraph migrate` or `npm start` first',
    );
  }
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir, database: 'auditgraph' });
  logger.info({ port: server.port, dataDir: config.dataDir }, 'embedded PostgreSQL running (DATABASE_URL is unset)');
  return { url: server.url, embedded: true, stop: () => server.stop() };
}

/** The URL with any password masked, for logs. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
