import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { logger } from '../logger';
import { migrationsList } from '../../migrations';

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
};

type PooledConnection = { query(sql: string, done: (error: Error | null) => void): void };

/** The MikroORM options shared by the server, the CLI and the tests. */
export function ormOptions({ databaseUrl, poolMax = 10, session }: OrmSettings): Options {
  // JIT compilation costs up to ~150 ms per large statement (seen on the integrity
  // audit), more than most reports take through their indexes: off for our sessions.
  // The loaders' named statements (runPrepared) are key and page lookups whose
  // best plan is the same for any value. Left to choose, PostgreSQL keeps
  // re-planning them on every execution: a generic plan for `= any($1)` never
  // looks cheaper than a custom one, since the array's length is unknown. That
  // was ~1 ms of planning per provenance prefetch. Unnamed statements (every
  // other query) are planned with their values either way.
  const settings = ['set jit = off', 'set plan_cache_mode = force_generic_plan'];
  if (session?.readOnly) settings.push('set default_transaction_read_only = on');
  if (session) settings.push(`set statement_timeout = ${Math.trunc(session.statementTimeoutMs)}`);
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
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
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot',
      emit: 'ts',
    },
    logger: (message: string) => logger.debug({ component: 'orm' }, message),
  };
}

export async function createOrm(settings: OrmSettings): Promise<Orm> {
  return MikroORM.init(ormOptions(settings));
}
