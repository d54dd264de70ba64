import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { entities } from '../entities';
import { logger } from '../base/logger';
import { parseExactJson } from '../json/exact-json';
import { installationPath } from '../base/installation-path';
import { migrationsList } from '../../migrations';

/**
 * json and jsonb values are parsed with every number exact (see exact-json):
 * pg's default JSON.parse rounds `12345678901234567890` to a double. MikroORM
 * overrides only the date types on its connections and falls back to pg's
 * process-wide parsers for the rest, so they are set there, once.
 */
const JSON_TYPE_IDS = [114, 3802]; // json, jsonb
for (const oid of JSON_TYPE_IDS) pg.types.setTypeParser(oid, parseExactJson);

export type Orm = MikroORM;

type OrmSettings = {
  databaseUrl: string;
  poolMax?: number;
  /**
   * The gateway's sessions: every statement in a read-only transaction unless
   * a writer opens one with `start transaction read write`, and none running
   * longer than the timeout. The CLI (migrations, seeding, keys) keeps the defaults.
   */
  session?: { readOnly: boolean; statementTimeoutMs: number };
  /**
   * True only to write a migration (`migration-create`): MikroORM then diffs
   * the entities against migrations/.snapshot.json and writes the snapshot
   * anew. Otherwise off, because MikroORM also rewrites the snapshot from the
   * database after every migration run — in its own spelling (int8 for
   * bigserial, …) and, for a database migrated partway or back down (tests,
   * benchmarks of the old schema), not the entities' schema at all — so that
   * `npm start` or `migrate` in a checkout changed a committed file.
   */
  snapshot?: boolean;
  /**
   * A streaming replica's: the database is the primary's copy, never created here, and may be down
   * when the gateway starts (it is then out of rotation until it answers).
   */
  replica?: boolean;
};

type PooledConnection = { query(sql: string, done: (error: Error | null) => void): void };

/** The MikroORM options shared by the server, the CLI and the tests. */
export function ormOptions({
  databaseUrl,
  poolMax = 10,
  session,
  snapshot = false,
  replica = false,
}: OrmSettings): Options {
  // JIT compilation costs up to ~150 ms per large statement (seen on the integrity
  // audit), more than most reports take through their indexes: off for our sessions.
  // The loaders' named statements (runPrepared) are key and page lookups whose
  // best plan is the same for any value. Left to choose, PostgreSQL keeps
  // re-planning them on every execution: a generic plan for `= any($1)` never
  // looks cheaper than a custom one, since the array's length is unknown. That
  // was ~1 ms of planning per provenance prefetch. Unnamed statements (every
  // other query) are planned with their values either way.
  // Timestamps are written out in UTC (`…+00`): days and quarters are UTC days, and no
  // historical zone offset (LMT, with seconds) or `BC` reaches the instant parser.
  const settings = ['set jit = off', 'set plan_cache_mode = force_generic_plan', "set timezone = 'UTC'"];
  if (session?.readOnly) settings.push('set default_transaction_read_only = on');
  if (session) settings.push(`set statement_timeout = ${Math.trunc(session.statementTimeoutMs)}`);
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    ensureDatabase: !replica,
    pool: {
      min: 0,
      max: poolMax,
      afterCreate: (connection: PooledConnection, done: (error: Error | null, connection: unknown) => void) =>
        connection.query(settings.join('; '), (error) => done(error, connection)),
    },
    // Every request works on its own fork; touching the global EntityManager is a bug.
    allowGlobalContext: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      // Where migration-create writes: the installation's folder, from whichever folder it runs.
      path: installationPath('migrations'),
      pathTs: installationPath('migrations'),
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot,
      snapshotName: '.snapshot',
      emit: 'ts',
    },
    logger: (message: string) => logger.debug({ component: 'orm' }, message),
  };
}

export async function createOrm(settings: OrmSettings): Promise<Orm> {
  return MikroORM.init(ormOptions(settings));
}
