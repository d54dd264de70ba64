import 'reflect-metadata';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { createOrm, type Orm } from '../src/database/orm';
import { integrateAll } from '../src/integrator/integrate-all';
import { ensureDataset } from './dataset';
import { analyzeGrown, type CatchUp, catchUp, emptyTree } from './integration-catch-up';
import {
  integrationBatches,
  LeafWatcher,
  Producer,
  quantile,
  SeparateIntegrator,
  type Write,
} from './integration-delay';
import { drawSamples, load } from './load';
import { createKey, startGateway } from './systems';
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
  .option(
    '--states <list>',
    'integrator states to compare: on (in the gateway), off, separate (a process of its own, the gateway off)',
    'on,off',
  )
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
  states: string;
  connections: number;
  rate: number;
  pool: number;
  server: string;
}>();

const W1 = WORKLOADS.find((workload) => workload.name === 'W1')!;
/** "Off": the first background batch an hour after the start, i.e. never within a run. */
const OFF_INTERVAL_MS = '3600000';
const DRAIN_MS = 60_000;

type State = 'on' | 'off' | 'separate';
const INTERVAL_MS = 250; // the default of AUDITGRAPH_INTEGRATE_INTERVAL_MS, for the separate integrator

type Run = {
  integrator: State;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The producer's writes whose commit returned within the measured seconds. */
  writes: Write[];
  writeErrors: number;
  unseen: number;
  /** The integrator's batches that added leaves during the measured seconds, and their total duration. */
  batches: number;
  batchSeconds: number;
  load: string;
};

const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** One run: a gateway (its integrator on, off, or off and one separate), W1 and the producer, warm-up then measured. */
async function run(url: string, samples: Samples, writer: Orm, state: State, tag: string): Promise<Run> {
  const metricsSecret = createKey(url, 'admin');
  const gateway = await startGateway(
    url,
    options.pool,
    state === 'on' ? {} : { AUDITGRAPH_INTEGRATE_INTERVAL_MS: OFF_INTERVAL_MS },
  );
  const separate = state === 'separate' ? SeparateIntegrator.start(url, INTERVAL_MS) : undefined;
  const watcher = state === 'off' ? undefined : await LeafWatcher.open(url);
  const producer = new Producer(writer, options.rate, tag, (write) => watcher?.watch(write));
  try {
    producer.start();
    await load(gateway, W1, samples, options.connections, options.warmup);
    const batchesBefore = await integrationBatches(gateway.origin, metricsSecret);
    const from = performance.now();
    const result = await load(gateway, W1, samples, options.connections, options.duration);
    const to = performance.now();
    const batchesAfter = await integrationBatches(gateway.origin, metricsSecret);
    const separateBatches = separate?.batchesBetween(from, to);
    const loadNow = loadAverage();
    await producer.stop();
    const unseen = (await watcher?.drain(DRAIN_MS)) ?? 0;
    return {
      integrator: state,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      writes: producer.writes.filter((write) => write.committedAt >= from && write.committedAt <= to),
      writeErrors: producer.errors,
      unseen,
      batches: separateBatches?.count ?? batchesAfter.count - batchesBefore.count,
      batchSeconds: separateBatches?.seconds ?? batchesAfter.seconds - batchesBefore.seconds,
      load: loadNow,
    };
  } finally {
    await producer.stop();
    await watcher?.close();
    await separate?.stop();
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
      `AUDITGRAPH_INTEGRATE_INTERVAL_MS unset (250), off = ${OFF_INTERVAL_MS}, separate = the gateway's off and ` +
      `bench/integrator-process.js integrating every ${INTERVAL_MS} ms`,
    '| run | integrator | W1 req/s | W1 p50 ms | W1 p99 ms | W1 errors | writes | write p50 / p99 ms ' +
      '| delay p50 ms | delay p99 ms | delay max ms | write errors | unseen | batches (mean ms) | load avg (1, 5, 15 min) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  const delaysOf = (measured: Run) =>
    measured.writes.filter((write) => write.seenAt !== undefined).map((write) => write.seenAt! - write.committedAt);
  for (const [index, measured] of runs.entries()) {
    const latencies = measured.writes.map((write) => write.latencyMs);
    const delay = (q: number) => (measured.integrator === 'off' ? '—' : ms(quantile(delaysOf(measured), q)));
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
  const of = (state: State) => runs.filter((measured) => measured.integrator === state);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const rps = (state: State) => of(state).map((measured) => measured.rps);
  const listed = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
  for (const state of states().filter((state) => state !== 'off')) {
    const delays = of(state).flatMap(delaysOf);
    lines.push(
      `over the runs with the integrator ${state}: delay p50 ${ms(quantile(delays, 0.5))} ms, ` +
        `p99 ${ms(quantile(delays, 0.99))} ms, max ${ms(quantile(delays, 1))} ms (${delays.length} writes)`,
    );
    if (of('off').length)
      lines.push(
        `W1 req/s, integrator ${state} ÷ off: ${(mean(rps(state)) / mean(rps('off'))).toFixed(2)} ` +
          `(${state} ${listed(rps(state))}; off ${listed(rps('off'))})`,
      );
  }
  return lines;
}

const states = (): State[] => {
  const listed = options.states.split(',').map((state) => state.trim());
  const unknown = listed.filter((state) => !['on', 'off', 'separate'].includes(state));
  if (unknown.length) throw new Error(`--states: unknown ${unknown.join(', ')} (on, off, separate)`);
  return listed as State[];
};

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
  // Alternating: the states in order, then reversed (on, off, off, on), so drift is shared.
  const order = Array.from({ length: options.rounds }, (_, round) =>
    round % 2 ? [...states()].reverse() : states(),
  ).flat();
  for (const [index, state] of order.entries()) {
    const measured = await run(url, samples, writer, state, `${tag}-${index}`);
    runs.push(measured);
    console.error(`run ${index + 1}: integrator ${measured.integrator}, W1 ${measured.rps.toFixed(0)} req/s`);
    // What an off run left unintegrated is taken now, not during the next run's measurement.
    if (state === 'off') await integrateAll(url);
    await analyzeGrown(url);
  }
  await writer.close();
  console.log(renderRuns(runs).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
