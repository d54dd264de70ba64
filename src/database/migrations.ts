import pg from 'pg';
import type { Orm } from './orm';
import { logger } from '../base/logger';
import { migrationsList } from '../../migrations';
import { MIGRATION_LOCK } from './advisory-locks';

/** The database lacks some or all of the migrations this version needs: nothing else can be trusted to work on it. */
export class DatabaseNotMigratedError extends Error {
  override name = 'DatabaseNotMigratedError';
}

/**
 * Applies every pending migration, each in its own transaction; returns their
 * names. Under MIGRATION_LOCK, held on a connection of its own for the whole
 * run (the migrations commit one by one on the ORM's): gateways starting
 * together on one database wait for the first, then find nothing pending,
 * instead of racing to create the same tables.
 */
export async function applyPendingMigrations(orm: Orm): Promise<string[]> {
  const lock = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    for (const migration of applied) logger.info({ migration: migration.name }, 'applied migration');
    return applied.map((migration) => migration.name);
  } finally {
    // Ending the session releases the lock, also when a migration failed.
    await lock.end();
  }
}

/**
 * The migrations of this version the database has not run, read without
 * writing anything (MikroORM's own `getPendingMigrations` creates its table,
 * and even the database, when missing).
 */
export async function pendingMigrationNames(orm: Orm): Promise<string[]> {
  const connection = orm.em.getConnection();
  const [{ present }] = await connection.execute<{ present: boolean }[]>(
    `select to_regclass('mikro_orm_migrations') is not null as present`,
  );
  const executed = present
    ? new Set(
        (await connection.execute<{ name: string }[]>('select name from mikro_orm_migrations')).map((row) => row.name),
      )
    : new Set<string>();
  return migrationsList.map((migration) => migration.name).filter((name) => !executed.has(name));
}

/** Throws a DatabaseNotMigratedError, in one line that says what to run, unless every migration has run. */
export async function assertMigrated(orm: Orm): Promise<void> {
  const pending = await pendingMigrationNames(orm);
  if (pending.length === 0) return;
  if (pending.length === migrationsList.length)
    throw new DatabaseNotMigratedError('the database is not migrated: run `auditgraph migrate`');
  throw new DatabaseNotMigratedError(
    `the database lacks ${pending.length} of this version's ${migrationsList.length} migrations ` +
      `(${pending.join(', ')}): run \`auditgraph migrate\``,
  );
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
