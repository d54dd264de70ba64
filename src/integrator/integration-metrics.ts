import { Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics/registry';

/** When the last completed batch took its snapshot: every record committed before then is in the tree. */
let integratedThrough: number | undefined;

const treeSize = new Gauge({
  name: 'auditgraph_merkle_tree_size',
  help: 'Leaves in the Merkle tree, as of the last integration batch this process ran.',
  registers: [metricsRegistry],
});

new Gauge({
  name: 'auditgraph_integration_integrated_through_timestamp_seconds',
  help:
    'Every record committed before this instant (Unix seconds) is in the Merkle tree: the snapshot time of the ' +
    'last completed integration batch; time() minus it is the integration lag. NaN before the first batch, and ' +
    'while another process is the integrator.',
  registers: [metricsRegistry],
  collect() {
    this.set(integratedThrough === undefined ? Number.NaN : integratedThrough / 1000);
  },
});

const batchDuration = new Histogram({
  name: 'auditgraph_integration_batch_seconds',
  help: 'Duration of integration batches that added leaves (one transaction each).',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

/** Records a completed batch: `startedAt` is when it took its snapshot, `leaves` how many it added. */
export function observeBatch(batch: { startedAt: number; size: number; leaves: number }): void {
  integratedThrough = batch.startedAt;
  treeSize.set(batch.size);
  if (batch.leaves > 0) batchDuration.observe((Date.now() - batch.startedAt) / 1000);
}

/** Another process holds the integrator's lock: this one knows nothing of the lag. */
export function observeSkippedBatch(): void {
  integratedThrough = undefined;
}
