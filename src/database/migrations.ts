import type { Orm } from './orm';
import { logger } from '../logger';

/** Applies every pending migration, each in its own transaction; returns their names. */
export async function applyPendingMigrations(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  for (const migration of applied) logger.info({ migration: migration.name }, 'applied migration');
  return applied.map((migration) => migration.name);
}

export async function pendingMigrationNames(orm: Orm): Promise<string[]> {
  const pending = await orm.getMigrator().getPendingMigrations();
  return pending.map((migration) => migration.name);
}

/**
 * Writes a new migration file for the difference between the entities and the
 * last snapshot. The file must be read, adjusted if needed, and added to
 * `migrations/index.ts` before it runs anywhere.
 */
export async function createMigration(orm: Orm, name?: string): Promise<string | undefined> {
  const result = await orm.getMigrator().createMigration(undefined, false, false, name);
  return result.diff.up.length > 0 ? result.fileName : undefined;
}
