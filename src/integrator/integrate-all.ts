import type pg from 'pg';
import { logger } from '../base/logger';
import { type BatchResult, integrateBatch } from './integrate-batch';
import { observeBatch } from './integration-metrics';
import { openIntegratorConnection } from './integrator-connection';

/** How long `integrate` waits before asking again while another integrator holds the lock. */
const LOCK_RETRY_MS = 100;

export type IntegrationSummary = { size: number; root: Buffer; leaves: number; batches: number; seconds: number };

/**
 * Integrates until nothing committed is left out of the tree (`auditgraph
 * integrate`, for cron, tests and after `seed`): batch after batch, each in
 * a transaction of its own, waiting its turn while another integrator holds
 * the lock. Chunks are logged (debug) as they are stored.
 */
export async function integrateAll(
  databaseUrl: string,
  afterBatch?: (connection: pg.Client, batch: NonNullable<BatchResult>) => Promise<void>,
): Promise<IntegrationSummary> {
  const started = Date.now();
  const connection = await openIntegratorConnection(databaseUrl);
  try {
    let leaves = 0;
    let batches = 0;
    for (;;) {
      const batch = await integrateBatch(connection, {
        onChunk: (size) => logger.debug({ size }, 'integration chunk stored'),
      });
      if (!batch) {
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
        continue;
      }
      observeBatch(batch);
      await afterBatch?.(connection, batch);
      leaves += batch.leaves;
      batches += 1;
      if (batch.leaves === 0)
        return { size: batch.size, root: batch.root, leaves, batches, seconds: (Date.now() - started) / 1000 };
    }
  } finally {
    await connection.end().catch(() => undefined);
  }
}
