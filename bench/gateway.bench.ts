import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { writeBenchmarkSection } from './benchmarks-file';
import { ensureDataset, serverVersion } from './dataset';
import { drawSamples, load, send } from './load';
import { peakRssMiB, type RunningSystem, startFloor, startGateway, startPostGraphile } from './systems';
import { type Samples, type SystemName, type Workload, WORKLOADS } from './workloads';

/**
 * The gateway against PostGraphile v5 and the raw-SQL floor, in one run, on
 * one dataset: `npm run bench -- --scale 10`. Every system gets the same pool
 * size, the same rotating ids, the same load generator (autocannon), and runs
 * alternate between systems so drift (caches, autovacuum) is shared.
 */
const program = new Command('gateway.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--duration <s>', 'seconds measured per run').argParser(Number).default(15))
  .addOption(new Option('--warmup <s>', 'seconds of load before each measured run').argParser(Number).default(3))
  .option('--connections <list>', 'concurrency levels', '8,32')
  .option('--workloads <list>', 'workloads to run', 'W1,W2,W3,W4')
  .addOption(new Option('--pool <n>', 'PostgreSQL pool size of every system').argParser(Number).default(10))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--write', 'write the results into BENCHMARKS.md')
  .parse();
const options = program.opts<{
  scale: number;
  duration: number;
  warmup: number;
  connections: string;
  workloads: string;
  pool: number;
  server: string;
  write?: boolean;
}>();

type Measured = {
  system: SystemName;
  workload: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
};

/**
 * Statements per request, the same way for every system: PostgreSQL's own
 * count of committed transactions in the database (every statement here
 * commits on its own) while 40 requests run one by one. The gateway's figure
 * also holds its query-audit-log insert, one per request when requests come
 * one at a time (under load they share a commit). Idle backends report their
 * counters up to 10 s late (PGSTAT_IDLE_INTERVAL), hence the waits.
 */
class CommitCounter {
  private last = 0;
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<CommitCounter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const counter = new CommitCounter(client);
    counter.last = await counter.settled();
    return counter;
  }

  /** Commits since the previous call, less this counter's own reads. */
  async since(): Promise<number> {
    const now = await this.settled();
    const delta = now - this.last - 1;
    this.last = now;
    return delta;
  }

  close = () => this.client.end();

  private async settled(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    // One autocommit statement: a fresh statistics snapshot, one commit of our own.
    const { rows } = await this.client.query<{ n: string }>(
      'select xact_commit::text as n from pg_stat_database where datname = current_database()',
    );
    return Number(rows[0]!.n);
  }
}

async function statementsPerRequest(
  counter: CommitCounter,
  system: RunningSystem,
  workload: Workload,
  samples: Samples,
): Promise<number> {
  const requests = 40;
  for (let index = 0; index < requests; index++) await send(system, workload, samples, index);
  return (await counter.since()) / requests;
}

function machine(databaseVersion: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const node22 = path.join(__dirname, '..', '..', 'bench', 'postgraphile', 'node_modules', 'node', 'package.json');
  const node22Version = (JSON.parse(readFileSync(node22, 'utf8')) as { version: string }).version;
  return (
    `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `Node ${process.versions.node} (gateway, floor, autocannon), ` +
    `Node ${node22Version} (PostGraphile); ${databaseVersion}`
  );
}

async function main() {
  const url = await ensureDataset(options.server, options.scale);
  const samples = await drawSamples(url);
  const workloads = WORKLOADS.filter((workload) => options.workloads.split(',').includes(workload.name));
  const connectionLevels = options.connections.split(',').map(Number);
  const version = await serverVersion(url);

  const systems: RunningSystem[] = [];
  try {
    systems.push(await startGateway(url, options.pool));
    systems.push(await startFloor(url, options.pool));
    const { default: getPort } = await import('get-port');
    systems.push(await startPostGraphile(url, options.pool, await getPort()));

    const results: Measured[] = [];
    const statements = new Map<string, number>();
    const taking = (workload: Workload) =>
      systems.filter((system) => workload.request(system.name, samples, 0) !== undefined);
    // First every answer is checked, and statements counted while nothing else runs.
    const counter = await CommitCounter.open(url);
    try {
      for (const workload of workloads) {
        for (const system of taking(workload)) {
          const answer = await send(system, workload, samples, 0);
          if (!workload.answered(system.name, answer))
            throw new Error(`${system.name} did not answer ${workload.name}: ${JSON.stringify(answer).slice(0, 500)}`);
        }
      }
      await counter.since();
      for (const workload of workloads) {
        for (const system of taking(workload)) {
          statements.set(
            `${system.name}/${workload.name}`,
            await statementsPerRequest(counter, system, workload, samples),
          );
          console.error(
            `${system.name} ${workload.name}: ` +
              `${statements.get(`${system.name}/${workload.name}`)} statements per request`,
          );
        }
      }
    } finally {
      await counter.close();
    }
    for (const workload of workloads) {
      const takers = taking(workload);
      for (const [round, connections] of connectionLevels.entries()) {
        // Rotate who goes first, so no system always runs on the warmest cache.
        const order = takers.map((_, index) => takers[(index + round + workloads.indexOf(workload)) % takers.length]!);
        for (const system of order) {
          await load(system, workload, samples, connections, options.warmup);
          const result = await load(system, workload, samples, connections, options.duration);
          const measured = {
            system: system.name,
            workload: workload.name,
            connections,
            rps: result.requests.average,
            p50: result.latency.p50,
            p99: result.latency.p99,
            errors: result.errors + result.timeouts + result.non2xx,
            requests: result.requests.total,
          };
          results.push(measured);
          console.error(JSON.stringify(measured));
        }
      }
    }
    const gateway = systems.find((system) => system.name === 'gateway')!;
    const report = render(results, statements, workloads, peakRssMiB(gateway.child), machine(version));
    console.log(report);
    if (options.write)
      writeBenchmarkSection('gateway.bench', 'Against PostGraphile v5 and the raw-SQL floor: `npm run bench`', report);
  } finally {
    for (const system of systems) await system.stop();
  }
}

function render(
  results: Measured[],
  statements: Map<string, number>,
  workloads: Workload[],
  gatewayRss: number | undefined,
  machineLine: string,
): string {
  const find = (system: SystemName, workload: string, connections: number) =>
    results.find(
      (result) => result.system === system && result.workload === workload && result.connections === connections,
    );
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
  const lines = [
    `Command: \`npm run bench -- --scale ${options.scale} --duration ${options.duration} --warmup ${options.warmup} ` +
      `--connections ${options.connections} --pool ${options.pool}\``,
    '',
    `Machine: ${machineLine}.`,
    '',
    ...workloads.map((workload) => `- ${workload.name}: ${workload.title}`),
    '',
    '| workload | conc. | system | req/s | p50 ms | p99 ms | errors | statements/request ' +
      '| gateway ÷ PostGraphile | gateway ÷ floor |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const workload of workloads) {
    for (const connections of options.connections.split(',').map(Number)) {
      const gateway = find('gateway', workload.name, connections);
      for (const system of ['gateway', 'postgraphile', 'floor'] as SystemName[]) {
        const result = find(system, workload.name, connections);
        if (!result) continue;
        const perRequest = statements.get(`${system}/${workload.name}`);
        const ratios =
          system === 'gateway'
            ? [
                ratio(gateway?.rps, find('postgraphile', workload.name, connections)?.rps),
                ratio(gateway?.rps, find('floor', workload.name, connections)?.rps),
              ]
            : ['', ''];
        lines.push(
          `| ${workload.name} | ${connections} | ${system} | ${result.rps.toFixed(0)} ` +
            `| ${result.p50} | ${result.p99} | ${result.errors} ` +
            `| ${perRequest === undefined ? '—' : perRequest.toFixed(1)} | ${ratios.join(' | ')} |`,
        );
      }
    }
  }
  lines.push(
    '',
    `Gateway peak RSS over the whole run: ${gatewayRss === undefined ? 'unknown' : `${gatewayRss.toFixed(0)} MiB`}.`,
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
