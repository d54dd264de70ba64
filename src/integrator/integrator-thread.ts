import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { logger } from '../base/logger';
import type { CheckpointKeySetting } from './checkpoint-key';
import type { Integrator } from './integrator';
import { observeBatch, observeSkippedBatch } from './integration-metrics';

/** What the thread is started with: the signer key's text stays in this process's memory, as in the main thread's. */
export type IntegratorThreadData = {
  databaseUrl: string;
  intervalMs: number;
  signing: CheckpointKeySetting | null;
};

/** What the thread tells the gateway: its batches, for the gateway's metrics (one registry, in the main thread). */
export type IntegratorThreadMessage =
  { kind: 'batch'; startedAt: number; size: number; leaves: number } | { kind: 'skipped' };

/** The gateway tells the thread to stop. */
export type IntegratorThreadCommand = { kind: 'close' };

const WORKER_FILE = path.join(__dirname, 'integrator-worker.js');

/**
 * `serve`'s integrator in a worker thread of its own. In the event loop that
 * answers GraphQL, a batch's hashing and encoding waited behind requests under
 * load (and requests behind it): integration delay p99 2.1 s at scale 100 with
 * W1 load; 0.69 s in this thread (BENCHMARKS.md). A thread
 * keeps it one process, one PID, one set of settings. A thread that dies (an
 * error the loop did not catch) is logged and started again after an interval;
 * the batch it was in rolled back with its connection.
 */
export function startIntegratorThread(data: IntegratorThreadData): Integrator {
  let worker: Worker | undefined;
  let restart: NodeJS.Timeout | undefined;
  let closing = false;

  const start = () => {
    const started = new Worker(WORKER_FILE, { workerData: data, name: 'auditgraph integrator' });
    started.on('message', (message: IntegratorThreadMessage) => {
      if (message.kind === 'batch') observeBatch(message);
      else if (message.kind === 'skipped') observeSkippedBatch();
    });
    started.on('error', (error) => logger.error({ err: error }, 'the integrator thread failed'));
    started.on('exit', (code) => {
      if (worker !== started) return;
      worker = undefined;
      if (closing) return;
      logger.warn({ exitCode: code }, 'the integrator thread stopped; starting it again');
      restart = setTimeout(start, data.intervalMs);
    });
    worker = started;
  };
  start();

  return {
    async close() {
      closing = true;
      clearTimeout(restart);
      const running = worker;
      if (!running) return;
      // The thread finishes its batch in flight and ends its connection, then exits.
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage({ kind: 'close' } satisfies IntegratorThreadCommand);
      await exited;
    },
  };
}
