import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { logger } from '../logger';
import { migrationsList } from '../../migrations';

export type Orm = MikroORM;

type OrmSettings = {
  databaseUrl: string;
  poolMax?: number;
};

/** The MikroORM options shared by the server, the CLI and the tests. */
export function ormOptions({ databaseUrl, poolMax = 10 }: OrmSettings): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    pool: {
      min: 0,
      max: poolMax,
      // JIT compilation costs up to ~150 ms per large statement (seen on the integrity
      // audit), more than most reports take through their indexes: off for our sessions.
      afterCreate: (connection: { query(sql: string, done: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) =>
        connection.query('set jit = off', (error) => done(error, connection)),
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
