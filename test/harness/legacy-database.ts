import { randomBytes } from 'node:crypto';
import { migrateToChainEra } from '../../src/database/chain-era';
import { applyPendingMigrations } from '../../src/database/migrations';
import { createOrm, type Orm } from '../../src/database/orm';
import { seedDatabase } from '../../src/seed/seed-database';
import { type TestDatabase, withClient } from './database';
import { withDatabase } from './global-setup';

export type LegacyDatabase = TestDatabase & {
  /** Applies the migrations after the chain era's (the chain's retirement and the Merkle tables). */
  upgrade(): Promise<string[]>;
};

/**
 * A database of this test file's own, migrated to the chain era only and
 * written there (the generated demo data at `scale`, then `statements`), so
 * that every row and event of it went through the old triggers, as in a
 * database that ran the version before the Merkle tree.
 */
export async function createLegacyDatabase(
  written: { scale?: number; statements?: string[] } = {},
): Promise<LegacyDatabase> {
  const admin = process.env.AUDITGRAPH_TEST_ADMIN_URL!;
  const name = `auditgraph_legacy_${randomBytes(5).toString('hex')}`;
  await withClient(admin, (client) => client.query(`create database ${name}`));
  const url = withDatabase(admin, name);
  const migrate = async (migrations: (orm: Orm) => Promise<string[]>) => {
    const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
    try {
      return await migrations(orm);
    } finally {
      await orm.close();
    }
  };
  await migrate(migrateToChainEra);
  if (written.scale)
    await seedDatabase(url, { scale: written.scale, seed: 42, anchor: new Date('2026-11-30T00:00:00Z') });
  await withClient(url, async (client) => {
    for (const sql of written.statements ?? []) await client.query(sql);
  });
  return {
    url,
    upgrade: () => migrate(applyPendingMigrations),
    drop: () =>
      withClient(admin, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
