import { Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

const batchSize = new Histogram({
  name: 'auditgraph_dataloader_batch_size',
  help: 'Keys per DataLoader batch, by loader: how much batching saves.',
  labelNames: ['loader'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  registers: [metricsRegistry],
});

export function recordBatch(loader: string, keys: number): void {
  batchSize.observe({ loader }, keys);
}
