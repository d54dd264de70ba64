import type { Config } from '../config';
import { logger } from '../logger';
import { startEmbeddedPostgres } from './embedded-postgres';

export type DatabaseTarget = {
  url: string;
  /** True when this process started the embedded server (and may seed demo data). */
  embedded: boolean;
  stop(): Promise<void>;
};

/**
 * The database every command works on: the server `DATABASE_URL` names, or
 * else the embedded PostgreSQL kept under the project's data folder.
 */
export async function openDatabaseTarget(config: Config): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
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
