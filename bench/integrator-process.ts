import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { integrateBatch } from '../src/integrator/integrate-batch';
import { openIntegratorConnection } from '../src/integrator/integrator-connection';

/**
 * The integrator in a process of its own, for bench:integration's "separate"
 * runs: as serve's background integrator, a batch on one connection, then
 * INTERVAL_MS, then the next — but with no HTTP work sharing its event loop.
 * Each batch is reported on stdout as `batch <ms> <leaves>`; SIGTERM stops it
 * after the batch in flight.
 */
async function main() {
  const connection = await openIntegratorConnection(process.env.DATABASE_URL!);
  const interval = Number(process.env.INTERVAL_MS ?? 250);
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  while (!stopping) {
    const started = performance.now();
    const batch = await integrateBatch(connection);
    process.stdout.write(`batch ${(performance.now() - started).toFixed(1)} ${batch?.leaves ?? 0}\n`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  await connection.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
