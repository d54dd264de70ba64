import pg from 'pg';
import { applyPendingMigrations } from '../src/database/migrations';
import { createOrm } from '../src/database/orm';
import { seedDatabase } from '../src/seed/seed-database';

/**
 * The benchmark dataset of a scale: its own database `<prefix>_s<scale>`
 * (`auditgraph_bench_s10`) on `server` (never DATABASE_URL's), migrated,
 * seeded with seed 42 the first time and reused after. A benchmark that
 * changes its dataset beyond appending records gives a prefix of its own.
 * Returns its URL.
 */
export async function ensureDataset(server: string, scale: number, prefix = 'auditgraph_bench'): Promise<string> {
  const database = `${prefix}_s${String(scale).replace('.', '_')}`;
  const url = new URL(server);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
  if (!rowCount) await admin.query(`create database ${database}`);
  await admin.end();
  url.pathname = `/${database}`;

  const orm = await createOrm({ databaseUrl: url.toString(), poolMax: 2 });
  await applyPendingMigrations(orm);
  const [{ decisions }] = await orm.em
    .getConnection()
    .execute<{ decisions: number }[]>('select count(*)::int as decisions from trade_decisions');
  await orm.close();
  if (decisions === 0) {
    console.error(`seeding ${database} at scale ${scale}…`);
    const summary = await seedDatabase(url.toString(), {
      scale,
      seed: 42,
      onProgress: (message) => console.error(message),
    });
    console.error(`seeded in ${(summary.durationMs / 1000).toFixed(1)} s`);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query('analyze');
    await client.end();
  }
  return url.toString();
}

/** The server's PostgreSQL version, as the benchmarks' machine lines name it ("PostgreSQL 15.20 (Debian …)"). */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select split_part(version(), ' on ', 1) as v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}
