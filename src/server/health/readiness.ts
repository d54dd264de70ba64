import { pendingMigrationNames } from '../../database/migrations';
import type { Orm } from '../../database/orm';
import { withTimeout } from '../../base/with-timeout';

/** A readiness probe must answer even while PostgreSQL does not. */
export const READINESS_TIMEOUT_MS = 2000;

export type Readiness =
  | { ready: true; database: 'up'; migrations: 'current' }
  | { ready: false; database: 'up' | 'down'; migrations: 'pending' | 'unknown'; reason: string; error?: unknown };

/**
 * Ready = PostgreSQL answers and every migration this build knows is applied.
 * A failure's `error` is for the log only: the driver's message names the
 * database's host and port, which an anonymous probe must not learn.
 * Nothing is cached: the pool reconnects by itself once the database is back,
 * and the next probe says so.
 */
export async function checkReadiness(orm: Orm): Promise<Readiness> {
  try {
    await withTimeout(orm.em.getConnection().execute('select 1'), READINESS_TIMEOUT_MS, 'PostgreSQL');
  } catch (error) {
    return { ready: false, database: 'down', migrations: 'unknown', reason: 'database unreachable', error };
  }
  let pending: string[];
  try {
    pending = await withTimeout(pendingMigrationNames(orm), READINESS_TIMEOUT_MS, 'the migrations table');
  } catch (error) {
    return {
      ready: false,
      database: 'up',
      migrations: 'unknown',
      reason: 'could not read the applied migrations',
      error,
    };
  }
  if (pending.length > 0) {
    return {
      ready: false,
      database: 'up',
      migrations: 'pending',
      reason: `${pending.length} migration(s) not applied: ${pending.join(', ')}`,
    };
  }
  return { ready: true, database: 'up', migrations: 'current' };
}
