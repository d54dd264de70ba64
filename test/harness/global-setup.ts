import 'reflect-metadata';

process.env.LOG_LEVEL ??= 'warn';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { applyPendingMigrations } from '../../src/database/migrations';
import { createOrm } from '../../src/database/orm';

/**
 * Once per `npm test`: the PostgreSQL server (embedded on a temporary folder,
 * or the one DATABASE_URL names) and a migrated template database that each
 * test file clones, so files run in parallel on databases of their own.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL?.trim();
  if (!adminUrl) {
    const dataRoot = await mkdtemp(path.join(tmpdir(), 'auditgraph-test-'));
    await chmod(dataRoot, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'pg'), database: 'auditgraph_test' });
    globalThis.__auditgraphEmbedded = { stop: server.stop, dataRoot };
    adminUrl = server.url;
  }
  const template = `auditgraph_template_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, template);
  const orm = await createOrm({ databaseUrl: templateUrl, poolMax: 1 });
  await applyPendingMigrations(orm);
  await orm.close();
  // MikroORM keeps entity metadata on globalThis; when jest runs files in
  // this same process, metadata left from here would clash with theirs.
  for (const key of Object.keys(globalThis))
    if (key.startsWith('mikro-orm-')) delete (globalThis as Record<string, unknown>)[key];

  process.env.AUDITGRAPH_TEST_ADMIN_URL = adminUrl;
  process.env.AUDITGRAPH_TEST_TEMPLATE = template;
  console.log(
    `\n[tests] PostgreSQL: ${globalThis.__auditgraphEmbedded ? 'embedded' : 'DATABASE_URL'}; template ${template}`,
  );
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

declare global {
  var __auditgraphEmbedded: { stop(): Promise<void>; dataRoot: string } | undefined;
}
