import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { logger } from '../base/logger';
import { readCheckpointSigning } from './checkpoint-key';
import { signCheckpointIfDue } from './checkpoint-signer';
import { startIntegrator } from './integrator';
import type { IntegratorThreadCommand, IntegratorThreadData, IntegratorThreadMessage } from './integrator-thread';

/** The integrator thread's entry (integrator-thread.ts starts it): the loop of integrator.ts, reporting batches. */
async function run(port: NonNullable<typeof parentPort>, data: IntegratorThreadData): Promise<void> {
  const tell = (message: IntegratorThreadMessage) => port.postMessage(message);
  const signing = data.signing && (await readCheckpointSigning(data.signing));
  const integrator = startIntegrator({
    databaseUrl: data.databaseUrl,
    intervalMs: data.intervalMs,
    afterBatch: signing ? (connection) => signCheckpointIfDue(connection, signing).then(() => undefined) : undefined,
    onBatch: (batch) =>
      tell(
        batch
          ? { kind: 'batch', startedAt: batch.startedAt, size: batch.size, leaves: batch.leaves }
          : { kind: 'skipped' },
      ),
  });
  port.on('message', (command: IntegratorThreadCommand) => {
    if (command.kind !== 'close') return;
    void integrator.close().then(() => {
      tell({ kind: 'closed' });
      port.close();
    });
  });
}

if (!parentPort) throw new Error('integrator-worker.js runs as a worker thread of `auditgraph serve`');
run(parentPort, workerData as IntegratorThreadData).catch((error: unknown) => {
  logger.error({ err: error }, 'the integrator thread could not start');
  process.exit(1);
});
