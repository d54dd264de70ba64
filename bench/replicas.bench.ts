import 'reflect-metadata';
import os from 'node:os';
import { Command, Option } from 'commander';
import { ensureDataset, serverVersion } from './dataset';
import { writeBenchmarkSection } from './benchmarks-file';
import { cpuSecondsOfTree } from './cpu-time';
import { drawSamples, load, send } from './load';
import { startOwnCluster } from './own-cluster';
import { integrateAll, type RunningSystem, startGateway } from './systems';
import { type Samples, type Workload, WORKLOADS } from './workloads';

/**
 * W1 and W2 with the gateway's reads on a streaming replica versus on the
 * primary, in one run: `npm run bench:replicas -- --scale 1`. A primary and a
 * hot standby of the benchmark's own (initdb, pg_basebackup -R), one dataset;
 * two gateways on the primary, one of them with the standby as its replica;
 * runs alternate between them. On one 2-core machine this measures what
 * routing and replay cost, not capacity: primary, replica and gateways share
 * the cores. What it gives the capacity model is CPU time per request — of
 * the gateway, of the primary's PostgreSQL, of the replica's — summed over
 * each process tree.
 */
const program = new Command('replicas.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(1))
  .addOption(new Option('--duration <s>', 'seconds measured per run').argParser(Number).default(10))
  .addOption(new Option('--warmup <s>', 'seconds of load before each measured run').argParser(Number).default(3))
  .addOption(new Option('--runs <n>', 'measured runs per system and level').argParser(Number).default(2))
  .option('--connections <list>', 'concurrency levels', '8,32')
  .option('--workloads <list>', 'workloads to run', 'W1,W2')
  .addOption(new Option('--pool <n>', 'PostgreSQL pool size of each gateway').argParser(Number).default(10))
  .option('--write', 'write the results into BENCHMARKS.md')
  .parse();
const options = program.opts<{
  scale: number;
  duration: number;
  warmup: number;
  runs: number;
  connections: string;
  workloads: string;
  pool: number;
  write?: boolean;
}>();

type Reads = 'primary' | 'replica';
type Measured = {
  reads: Reads;
  workload: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** CPU milliseconds per request: the gateway process, the primary's PostgreSQL, the replica's. */
  gatewayCpuMs: number;
  primaryCpuMs: number;
  replicaCpuMs: number;
};

async function main() {
  const cluster = await startOwnCluster();
  const gateways = new Map<Reads, RunningSystem>();
  try {
    const replica = await cluster.startReplica();
    // The benchmarks' dataset, made on the primary after the base backup: the standby receives it by streaming.
    const url = await ensureDataset(cluster.urlFor('postgres'), options.scale);
    await integrateAll(url);
    await replica.caughtUp();
    const samples = await drawSamples(url);
    const version = await serverVersion(url);

    gateways.set('primary', await startGateway(url, options.pool));
    gateways.set(
      'replica',
      await startGateway(url, options.pool, {
        AUDITGRAPH_REPLICA_URLS: replica.urlFor(new URL(url).pathname.slice(1)),
        AUDITGRAPH_REPLICA_MAX_LAG_MS: '5000',
      }),
    );
    const workloads = WORKLOADS.filter((workload) => options.workloads.split(',').includes(workload.name));
    for (const workload of workloads)
      for (const gateway of gateways.values()) await checkAnswer(gateway, workload, samples);

    const primaryPid = await cluster.postmasterPid();
    const replicaPid = await replica.postmasterPid();
    const results: Measured[] = [];
    for (const workload of workloads) {
      for (const connections of options.connections.split(',').map(Number)) {
        for (let run = 0; run < options.runs; run++) {
          // Alternate who goes first, so neither always runs on the warmer cache.
          const order: Reads[] = run % 2 === 0 ? ['primary', 'replica'] : ['replica', 'primary'];
          for (const reads of order) {
            const gateway = gateways.get(reads)!;
            await load(gateway, workload, samples, connections, options.warmup);
            const before = [
              cpuSecondsOfTree(gateway.child.pid!),
              cpuSecondsOfTree(primaryPid),
              cpuSecondsOfTree(replicaPid),
            ];
            const result = await load(gateway, workload, samples, connections, options.duration);
            const after = [
              cpuSecondsOfTree(gateway.child.pid!),
              cpuSecondsOfTree(primaryPid),
              cpuSecondsOfTree(replicaPid),
            ];
            const perRequest = (index: number) => ((after[index]! - before[index]!) * 1000) / result.requests.total;
            const measured: Measured = {
              reads,
              workload: workload.name,
              connections,
              rps: result.requests.average,
              p50: result.latency.p50,
              p99: result.latency.p99,
              errors: result.errors + result.timeouts + result.non2xx,
              requests: result.requests.total,
              gatewayCpuMs: perRequest(0),
              primaryCpuMs: perRequest(1),
              replicaCpuMs: perRequest(2),
            };
            results.push(measured);
            console.error(JSON.stringify(measured));
          }
        }
      }
    }
    const report = render(results, workloads, machine(version));
    console.log(report);
    if (options.write)
      writeBenchmarkSection(
        'replicas.bench',
        'Reads on a streaming replica versus the primary: `npm run bench:replicas`',
        report,
      );
  } finally {
    for (const gateway of gateways.values()) await gateway.stop();
    await cluster.stop();
  }
}

async function checkAnswer(gateway: RunningSystem, workload: Workload, samples: Samples): Promise<void> {
  const answer = await send(gateway, workload, samples, 0);
  if (!workload.answered('gateway', answer))
    throw new Error(`the gateway did not answer ${workload.name}: ${JSON.stringify(answer).slice(0, 500)}`);
}

function machine(databaseVersion: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.versions.node}; ${databaseVersion}`;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function render(results: Measured[], workloads: Workload[], machineLine: string): string {
  const lines = [
    `Command: \`npm run bench:replicas -- --scale ${options.scale} --duration ${options.duration} ` +
      `--warmup ${options.warmup} --runs ${options.runs} --connections ${options.connections} --pool ${options.pool}\``,
    '',
    `Machine: ${machineLine}. Primary, standby and both gateways share its cores; medians of ${options.runs} runs, alternating.`,
    '',
    ...workloads.map((workload) => `- ${workload.name}: ${workload.title}`),
    '',
    '| workload | conc. | reads on | req/s | p50 ms | p99 ms | errors | CPU ms/request: gateway | primary PG | replica PG | req/s replica ÷ primary |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const workload of workloads) {
    for (const connections of options.connections.split(',').map(Number)) {
      const of = (reads: Reads) =>
        results.filter(
          (result) => result.reads === reads && result.workload === workload.name && result.connections === connections,
        );
      const rps = (reads: Reads) => median(of(reads).map((result) => result.rps));
      for (const reads of ['primary', 'replica'] as Reads[]) {
        const runs = of(reads);
        const pick = (field: keyof Measured) => median(runs.map((result) => result[field] as number));
        lines.push(
          `| ${workload.name} | ${connections} | ${reads} | ${pick('rps').toFixed(0)} | ${pick('p50')} | ${pick('p99')} ` +
            `| ${runs.reduce((sum, result) => sum + result.errors, 0)} | ${pick('gatewayCpuMs').toFixed(2)} ` +
            `| ${pick('primaryCpuMs').toFixed(2)} | ${pick('replicaCpuMs').toFixed(2)} ` +
            `| ${reads === 'replica' ? `${(rps('replica') / rps('primary')).toFixed(2)}×` : ''} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
