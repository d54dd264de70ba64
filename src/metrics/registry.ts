import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's Prometheus registry, served at `/metrics`. The process and
 * Node.js runtime metrics keep their standard names (`process_*`,
 * `nodejs_*`, no prefix), so the usual Node.js dashboards and alerts find
 * them; the gateway's own carry `auditgraph_`.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/**
 * prom-client adds these gauges named like counters (`promtool check metrics`
 * refuses them); each is the sum over the `type` label of the gauge without
 * `_total` (`sum(nodejs_active_handles)`), which stays.
 */
for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
  metricsRegistry.removeSingleMetric(name);
