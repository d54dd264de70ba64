import type { Orm } from './orm';

/**
 * The last migration of the hash chain's era: up to it, triggers numbered,
 * linked and recorded every write under one lock; the next one
 * (Migration20261201163050_writers_never_wait) retired them for the Merkle
 * tree. Tests of the upgrade and the writers benchmark's "old" schema both
 * stop here.
 */
export const LAST_CHAIN_ERA_MIGRATION = 'Migration20261201140105_audit_event_search';

/**
 * Migrates a fresh database to the chain era only — its own SQL, triggers
 * and all — as a database that ran the version before the Merkle tree;
 * returns the migrations applied. `orm` must not write the snapshot
 * (createOrm's default): a partway schema is not the entities'.
 */
export async function migrateToChainEra(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up({ to: LAST_CHAIN_ERA_MIGRATION });
  return applied.map((migration) => migration.name);
}
