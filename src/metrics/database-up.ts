import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { CachedReading, FRESH_READING_MS } from './cached-reading';
import { metricsRegistry } from './registry';

/** What a probe waits for PostgreSQL, as the readiness probe does. */
const PROBE_TIMEOUT_MS = 2_000;

const probe = new CachedReading('the database probe', FRESH_READING_MS, PROBE_TIMEOUT_MS, async (orm: Orm) => {
  await orm.em.getConnection().execute('select 1');
  return true;
});

/** The gateway's database (one gateway per process). */
export function useDatabaseUpSource(orm: Orm): void {
  probe.use(orm);
}

new Gauge({
  name: 'auditgraph_database_up',
  help: `Whether PostgreSQL answered the newest probe (1) or not (0); probed at most every ${FRESH_READING_MS / 1000} s.`,
  registers: [metricsRegistry],
  async collect() {
    const current = await probe.current();
    if (current) this.set(current.ok ? 1 : 0);
  },
});
