import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's Prometheus registry, served at `/metrics`. Process and
 * runtime defaults carry the `auditgraph_` prefix like every other metric.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'auditgraph_' });
