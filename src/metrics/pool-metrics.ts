import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { metricsRegistry } from './registry';

type Pool = {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
};
let pool: (() => Pool | undefined) | undefined;

/** The pool of the gateway's ORM (one gateway per process). */
export function usePoolMetricsSource(orm: Orm): void {
  pool = () => (orm.em.getConnection().getKnex().client as { pool?: Pool }).pool;
}

new Gauge({
  name: 'auditgraph_db_pool_connections',
  help: 'PostgreSQL pool connections by state: used, free, pending (waiting to be acquired or created).',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    const current = pool?.();
    if (!current) return;
    this.set({ state: 'used' }, current.numUsed());
    this.set({ state: 'free' }, current.numFree());
    this.set({ state: 'pending' }, current.numPendingAcquires() + current.numPendingCreates());
  },
});

new Gauge({
  name: 'auditgraph_db_pool_max_connections',
  help: 'The most connections the PostgreSQL pool opens (POOL_MAX): used / max is its saturation.',
  registers: [metricsRegistry],
  collect() {
    const current = pool?.();
    if (current) this.set(current.max);
  },
});
