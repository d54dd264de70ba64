import { pendingMigrationNames } from '../database/migrations';
import type { Orm } from '../database/orm';
import { withTimeout } from '../with-timeout';

/** A readiness probe must answer even while PostgreSQL does not. */
export const READINESS_TIMEOUT_MS = 2000;

export type Readiness =
  | { ready: true; database: 'up'; migrations: 'current' }
  | { ready: false; database: 'up' | 'down'; migrations: 'pending' | 'unknown'; reason: string };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Ready = PostgreSQL answers and every migration this build knows is applied.
 * Nothing is cached: the pool reconnects by itself once the database is back,
 * and the next probe says so.
 */
export async function checkReadiness(orm: Orm): Promise<Readiness> {
  try {
    await withTimeout(orm.em.getConnection().execute('select 1'), READINESS_TIMEOUT_MS, 'PostgreSQL');
  } catch (error) {
    return { ready: false, database: 'down', migrations: 'unknown', reason: `database unreachable: ${messageOf(error)}` };
  }
  let pending: string[];
  try {
    pending = await withTimeout(pendingMigrationNames(orm), READINESS_TIMEOUT_MS, 'the migrations table');
  } catch (error) {
    return { ready: false, database: 'up', migrations: 'unknown', reason: `could not read the applied migrations: ${messageOf(error)}` };
  }
  if (pending.length > 0) {
    return { ready: false, database: 'up', migrations: 'pending', reason: `${pending.length} migration(s) not applied: ${pending.join(', ')}` };
  }
  return { ready: true, database: 'up', migrations: 'current' };
}
