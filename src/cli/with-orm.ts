import { loadConfig } from '../base/config';
import { openDatabaseTarget } from '../database/database-target';
import { assertMigrated } from '../database/migrations';
import { createOrm, type Orm } from '../database/orm';

/**
 * Opens the configured database with the ORM, runs `work`, and always closes
 * both. Commands that build the database (`builds`: migrate, seed) may create
 * the embedded cluster and find it unmigrated; every other command needs every
 * migration applied, and says so in one line when one is missing. `snapshot`:
 * see OrmSettings (only `migration-create` wants it).
 */
export async function withOrm<T>(
  work: (orm: Orm, url: string) => Promise<T>,
  use: { builds: boolean; snapshot?: boolean } = { builds: false },
): Promise<T> {
  const config = loadConfig();
  const target = await openDatabaseTarget(config, { create: use.builds });
  try {
    const orm = await createOrm({ databaseUrl: target.url, poolMax: config.poolMax, snapshot: use.snapshot });
    try {
      if (!use.builds) await assertMigrated(orm);
      return await work(orm, target.url);
    } finally {
      await orm.close();
    }
  } finally {
    await target.stop();
  }
}
