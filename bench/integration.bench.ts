import 'reflect-metadata';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { createOrm, type Orm } from '../src/database/orm';
import { integrateAll } from '../src/integrator/integrate-all';
import { ensureDataset } from './dataset';
import { analyzeGrown, type CatchUp, catchUp, emptyTree } from './integration-catch-up';
import { integrationBatches, LeafWatcher, Producer, quantile, type Write } from './integration-delay';
import { drawSamples, load } from './load';
import { startGateway } from './systems';
import { type Samples, WORKLOADS } from './workloads';

/**
 * The Merkle integrator measured: how fast it catches up with a whole
 * dataset from an empty tree, and, with the gateway serving W1 while a
 * producer writes, how long a committed record waits for its leaf and what
 * the background integrator costs W1.
 *
 *   npm run bench:integration -- --scale 10
 */
const program = new Command('integration.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--duration <s>', 'seconds measured per run').argParser(Number).default(20))
  .addOption(new Option('--warmup <s>', 'seconds of load before each measured run').argParser(Number).default(5))
  .addOption(new Option('--rounds <n>', 'runs with the integrator on, and as many off').argParser(Number).default(2))
  .addOption(new Option('--connections <n>', 'W1 concurrency').argParser(Number).default(8))
  .addOption(new Option('--rate <n>', 'producer writes per second').argParser(Number).default(50))
  .addOption(new Option('--pool <n>', "the gateway's PostgreSQL pool size").argParser(Number).default(10))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{
  scale: number;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  rate: number;
  pool: number;
  server: string;
}>();

const W1 = WORKLOADS.find((workload) => workload.name === 'W1')!;
/** "Off": the first background batch an hour after the start, i.e. never within a run. */
const OFF_INTERVAL_MS = '3600000';
const DRAIN_MS = 60_000;

type Run = {
  integrator: 'on' | 'off';
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The producer's writes whose commit returned within the measured seconds. */
  writes: Write[];
  writeErrors: number;
  unseen: number;
  /** The gateway's integration batches that added leaves during the measured seconds, and their total duration. */
  batches: number;
  batchSeconds: number;
  load: string;
};

const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** One run: a gateway (its integrator on or off), W1 and the producer together, warm-up then measured. */
async function run(url: string, samples: Samples, writer: Orm, on: boolean, tag: string): Promise<Run> {
  const gateway = await startGateway(
    url,
    options.pool,
    on ? {} : { AUDITGRAPH_INTEGRATE_INTERVAL_MS: OFF_INTERVAL_MS },
  );
  const watcher = on ? await LeafWatcher.open(url) : undefined;
  const producer = new Producer(writer, options.rate, tag, (write) => watcher?.watch(write));
  try {
    producer.start();
    await load(gateway, W1, samples, options.connections, options.warmup);
    const batchesBefore = await integrationBatches(gateway.origin);
    const from = performance.now();
    const result = await load(gateway, W1, samples, options.connections, options.duration);
    const to = performance.now();
    const batchesAfter = await integrationBatches(gateway.origin);
    const loadNow = loadAverage();
    await producer.stop();
    const unseen = (await watcher?.drain(DRAIN_MS)) ?? 0;
    return {
      integrator: on ? 'on' : 'off',
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      writes: producer.writes.filter((write) => write.committedAt >= from && write.committedAt <= to),
      writeErrors: producer.errors,
      unseen,
      batches: batchesAfter.count - batchesBefore.count,
      batchSeconds: batchesAfter.seconds - batchesBefore.seconds,
      load: loadNow,
    };
  } finally {
    await producer.stop();
    await watcher?.close();
    await gateway.stop();
  }
}

const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(0));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function renderCatchUp(result: CatchUp): string[] {
  const leaves = result.leaves;
  return [
    `catch-up (auditgraph integrate from an empty tree): ${leaves.toLocaleString('en-US')} leaves in ` +
      `${result.batches} batches (the last finding none), ${result.seconds.toFixed(1)} s, ` +
      `${Math.round(result.leavesPerSecond).toLocaleString('en-US')} leaves/s; integrate peak RSS ` +
      `${result.peakRssMiB === undefined ? 'unknown' : `${result.peakRssMiB.toFixed(0)} MiB`}`,
    `  leaves by source: ${result.bySource.map(({ source, leaves: n }) => `${source} ${n.toLocaleString('en-US')}`).join(', ')}`,
    `  root ${result.root}`,
    `  storage: merkle_leaves ${mib(result.leavesBytes)} (${(result.leavesBytes / leaves).toFixed(0)} B/leaf), ` +
      `merkle_nodes ${mib(result.nodesBytes)} for ${result.nodes.toLocaleString('en-US')} nodes ` +
      `(${(result.nodesBytes / leaves).toFixed(0)} B/leaf); together ` +
      `${((result.leavesBytes + result.nodesBytes) / leaves).toFixed(0)} B/leaf`,
  ];
}

function renderRuns(runs: Run[]): string[] {
  const lines = [
    `integration delay under load: W1 at ${options.connections} connections, a producer writing ` +
      `${options.rate} records/s (recordApiPayloads, one record per transaction, from the benchmark's process); ` +
      `${options.warmup} s warm-up + ${options.duration} s measured per run; integrator on = ` +
      `AUDITGRAPH_INTEGRATE_INTERVAL_MS unset (250), off = ${OFF_INTERVAL_MS}`,
    '| run | integrator | W1 req/s | W1 p50 ms | W1 p99 ms | W1 errors | writes | write p50 / p99 ms ' +
      '| delay p50 ms | delay p99 ms | delay max ms | write errors | unseen | batches (mean ms) | load avg (1, 5, 15 min) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const [index, measured] of runs.entries()) {
    const latencies = measured.writes.map((write) => write.latencyMs);
    const delays = measured.writes.filter((write) => write.seenAt !== undefined).map((w) => w.seenAt! - w.committedAt);
    const delay = (q: number) => (measured.integrator === 'on' ? ms(quantile(delays, q)) : '—');
    const batches = measured.batches
      ? `${measured.batches} (${ms((measured.batchSeconds * 1000) / measured.batches)})`
      : String(measured.batches);
    lines.push(
      `| ${index + 1} | ${measured.integrator} | ${measured.rps.toFixed(0)} | ${measured.p50} | ${measured.p99} ` +
        `| ${measured.errors} | ${measured.writes.length} | ${ms(quantile(latencies, 0.5))} / ` +
        `${ms(quantile(latencies, 0.99))} | ${delay(0.5)} | ${delay(0.99)} | ${delay(1)} ` +
        `| ${measured.writeErrors} | ${measured.unseen} | ${batches} | ${measured.load} |`,
    );
  }
  const rps = (state: 'on' | 'off') => runs.filter((measured) => measured.integrator === state).map((r) => r.rps);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const allDelays = runs.flatMap((measured) =>
    measured.writes.filter((write) => write.seenAt !== undefined).map((write) => write.seenAt! - write.committedAt),
  );
  lines.push(
    `over the runs with the integrator on: delay p50 ${ms(quantile(allDelays, 0.5))} ms, ` +
      `p99 ${ms(quantile(allDelays, 0.99))} ms, max ${ms(quantile(allDelays, 1))} ms (${allDelays.length} writes)`,
    `W1 req/s, integrator on ÷ off: ${(mean(rps('on')) / mean(rps('off'))).toFixed(2)} ` +
      `(on ${rps('on')
        .map((value) => value.toFixed(0))
        .join(', ')}; off ${rps('off')
        .map((value) => value.toFixed(0))
        .join(', ')})`,
  );
  return lines;
}

async function main() {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}; load average before: ${loadAverage()}`,
  );
  // Its own databases: the benchmark empties their trees, which no other benchmark's dataset may see.
  const url = await ensureDataset(options.server, options.scale, 'auditgraph_bench_integration');
  await emptyTree(url);
  const caughtUp = await catchUp(url);
  await analyzeGrown(url);
  console.log(`${renderCatchUp(caughtUp).join('\n')}\nload average after the catch-up: ${loadAverage()}`);

  const samples = await drawSamples(url);
  // The producer's own pool: its writes wait for no W1 request.
  const writer = await createOrm({ databaseUrl: url, poolMax: 4 });
  const runs: Run[] = [];
  const tag = Date.now().toString(36);
  for (let index = 0; index < options.rounds * 2; index++) {
    // Alternating, each state first in every other round, so drift is shared.
    const on = (index + Math.floor(index / 2)) % 2 === 0;
    const measured = await run(url, samples, writer, on, `${tag}-${index}`);
    runs.push(measured);
    console.error(`run ${index + 1}: integrator ${measured.integrator}, W1 ${measured.rps.toFixed(0)} req/s`);
    // What an off run left unintegrated is taken now, not during the next run's measurement.
    if (!on) await integrateAll(url);
    await analyzeGrown(url);
  }
  await writer.close();
  console.log(renderRuns(runs).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
