import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { signingOf } from './checkpoint-key';
import { signCheckpointIfDue } from './checkpoint-signer';
import { startIntegrator } from './integrator';
import type { IntegratorThreadCommand, IntegratorThreadData, IntegratorThreadMessage } from './integrator-thread';

/** The integrator thread's entry (integrator-thread.ts starts it): the loop of integrator.ts, reporting batches. */
function run(port: NonNullable<typeof parentPort>, data: IntegratorThreadData): void {
  const tell = (message: IntegratorThreadMessage) => port.postMessage(message);
  // Checked by the main thread before it started this one.
  const signing = data.signing && signingOf(data.signing);
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
    // With its connection ended and the port closed the thread has nothing left to do, and exits.
    void integrator.close().then(() => port.close());
  });
}

if (!parentPort) throw new Error('integrator-worker.js runs as a worker thread of `auditgraph serve`');
run(parentPort, workerData as IntegratorThreadData);
