import type pg from 'pg';
import { logger } from '../base/logger';
import { type BatchResult, integrateBatch } from './integrate-batch';
import { openIntegratorConnection } from './integrator-connection';

export type IntegratorOptions = {
  databaseUrl: string;
  intervalMs: number;
  /** After each batch this process ran (not skipped), on the integrator's connection: the checkpoint signer. */
  afterBatch?: (connection: pg.Client, batch: NonNullable<BatchResult>) => Promise<void>;
  /** After each batch that ran or was skipped (another process holds the lock: null): the gateway's metrics. */
  onBatch: (batch: BatchResult) => void;
};

export type Integrator = { close(): Promise<void> };

/**
 * The background integrator of `serve` (run in a thread of its own:
 * integrator-thread.ts): a batch every `intervalMs` on a connection of its own. Among gateways the holder of the advisory lock
 * integrates and the others skip; a failed batch (the database restarted, the
 * connection cut) has rolled back, is logged, and the next tick reconnects
 * and redoes it. `close` waits for a batch in flight, then ends the connection.
 */
export function startIntegrator(options: IntegratorOptions): Integrator {
  let connection: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  let failing = false;

  const dropConnection = () => {
    const dropped = connection;
    connection = undefined;
    dropped?.end().catch(() => undefined);
  };

  async function tick(): Promise<void> {
    try {
      if (!connection) {
        const opened = await openIntegratorConnection(options.databaseUrl);
        // An idle client whose backend is terminated reports it here, not on a query.
        // That starts an outage as a failed batch does: said once, with the batch failures that may follow it
        // (a restarting database refuses the reconnects), until a batch succeeds again.
        opened.on('error', (error) => {
          if (!failing) logger.warn({ err: error }, 'integrator connection lost');
          failing = true;
          if (connection === opened) dropConnection();
        });
        connection = opened;
      }
      const batch = await integrateBatch(connection);
      options.onBatch(batch);
      if (batch) {
        // The batch is committed: a failed checkpoint is retried after the next one, and says so.
        await options.afterBatch?.(connection, batch).catch((error: unknown) => {
          logger.warn({ err: error }, 'checkpoint signing failed; retrying after the next batch');
        });
      }
      if (failing) logger.info('integration resumed');
      failing = false;
    } catch (error) {
      // Said once per outage, not every tick.
      if (!failing) logger.warn({ err: error }, 'integration batch failed; retrying');
      failing = true;
      dropConnection();
    }
  }

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      inFlight = tick().finally(() => {
        inFlight = undefined;
        schedule();
      });
    }, options.intervalMs);
  };
  schedule();

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight;
      await connection?.end().catch(() => undefined);
      connection = undefined;
    },
  };
}
