import { Counter, Gauge } from 'prom-client';
import type { ReadRouter } from '../database/replicas/read-router';
import { metricsRegistry } from './registry';

let router: ReadRouter | undefined;

/** The read router of the gateway (one gateway per process). */
export function useReplicaMetricsSource(source: ReadRouter): void {
  router = source;
}

new Gauge({
  name: 'auditgraph_replica_in_rotation',
  help: 'Whether queries read this streaming replica (1), or it is down, lagging past AUDITGRAPH_REPLICA_MAX_LAG_MS or not a standby (0).',
  labelNames: ['replica'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const status of router?.statuses() ?? [])
      this.set({ replica: status.name }, status.state === 'in_rotation' ? 1 : 0);
  },
});

new Gauge({
  name: 'auditgraph_replica_lag_seconds',
  help: 'How far this replica replays behind the primary, as of the newest probe that reached both (absent while down).',
  labelNames: ['replica'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const status of router?.statuses() ?? [])
      if (status.lagMs !== undefined) this.set({ replica: status.name }, status.lagMs / 1000);
  },
});

const operationsByDatabase = new Counter({
  name: 'auditgraph_graphql_operations_by_database_total',
  help: 'GraphQL operations by the database they read: a replica, or the primary (mutations, and queries while no replica is in rotation).',
  labelNames: ['database'] as const,
  registers: [metricsRegistry],
});

const retriedOnPrimary = new Counter({
  name: 'auditgraph_replica_queries_retried_total',
  help: 'Queries whose replica was lost while they ran, run again on the primary.',
  registers: [metricsRegistry],
});

export function countOperationDatabase(database: 'primary' | 'replica'): void {
  operationsByDatabase.inc({ database });
}

export function countRetriedOnPrimary(): void {
  retriedOnPrimary.inc();
}
