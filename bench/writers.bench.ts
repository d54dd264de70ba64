import 'reflect-metadata';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { migrateToChainEra } from '../src/database/chain-era';
import { applyPendingMigrations } from '../src/database/migrations';
import { logger } from '../src/base/logger';
import { createOrm, type Orm } from '../src/database/orm';
import { LINES_PER_CYCLE, generate, importAll } from './trading-log';

/**
 * Writers never wait (issue 23), measured: the same JSONL import into three
 * fresh databases, in alternation, round after round —
 *   new:   today's schema (recorded_xid and its index, append-only triggers);
 *   floor: today's schema with no trigger on the record tables and no
 *          recorded_xid index (what the database costs with no record-keeping);
 *   old:   the schema of the chain era (migrateToChainEra: the migrations
 *          before the chain was retired, their SQL, triggers and all), for
 *          comparison;
 * each imported twice per round: alone, for its lines/s, then again (into a
 * fresh database) while a producer in a process of its own records one
 * decision at a time (the recordDecision mutation's SQL path), for the
 * producer's write latency, p50 and p99. Apart, because on two cores the
 * producer's own work slows the import it runs beside — unless, as with the
 * chain's lock, it is kept waiting.
 *
 *   npm run bench:writers -- --scale 1 --rounds 3
 */
const program = new Command('writers.bench')
  .addOption(new Option('--scale <n>', 'size: 1 = 100,000 lines').argParser(Number).default(1))
  .addOption(new Option('--rounds <n>', 'imports per variant, alternating').argParser(Number).default(2))
  .addOption(
    new Option('--variants <list>', 'which schemas, comma-separated (old is the slowest: skip it at scale 10)')
      .argParser((list) => list.split(',').map((name) => name.trim()))
      .default(['new', 'floor', 'old']),
  )
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; rounds: number; variants: string[]; server: string }>();

const RECORD_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
  'audit_events',
  'query_audit_log',
];

type Variant = 'new' | 'floor' | 'old';
const VARIANTS: Record<Variant, (orm: Orm) => Promise<void>> = {
  new: async (orm) => void (await applyPendingMigrations(orm)),
  floor: async (orm) => {
    await applyPendingMigrations(orm);
    const knex = orm.em.getKnex();
    for (const table of RECORD_TABLES) {
      await knex.raw(`alter table ${table} disable trigger user`);
      await knex.raw(`drop index ${table}_recorded_xid_index`);
    }
  },
  old: async (orm) => void (await migrateToChainEra(orm)),
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
const rate = (lines: number, seconds: number) => Math.round(lines / seconds);

/** Starts the producer on `url` and resolves once its first (uncounted) write is done. */
async function startProducer(url: string) {
  const child = fork(path.join(__dirname, 'writers-producer.js'), [], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
  });
  const [ready] = (await once(child, 'message')) as [unknown];
  if (ready !== 'ready') throw new Error(`producer: ${String(ready)}`);
  return async (): Promise<number[]> => {
    const answer = once(child, 'message');
    child.send('stop');
    const [{ latencies }] = (await answer) as [{ latencies: number[] }];
    return latencies;
  };
}

async function oneImport(variant: Variant, dir: string, lines: number, producing: boolean) {
  const database = `auditgraph_bench_writers_${variant}_${process.pid}`;
  const admin = new pg.Client({ connectionString: options.server });
  await admin.connect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.query(`create database ${database}`);
  const url = new URL(options.server);
  url.pathname = `/${database}`;
  // The old variant is migrated partway: it must not rewrite migrations/.snapshot.json.
  const orm = await createOrm({ databaseUrl: url.toString() });
  try {
    await VARIANTS[variant](orm);
    const stopProducer = producing ? await startProducer(url.toString()) : undefined;
    const imported = await importAll(orm, dir, () => undefined);
    const latencies = (await stopProducer?.()) ?? [];
    if (imported.lines !== lines) throw new Error(`imported ${imported.lines} lines, not ${lines}`);
    return { seconds: imported.seconds, latencies };
  } finally {
    await orm.close();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

async function main() {
  // The log's lines (each applied migration) would drown the figures.
  logger.level = 'warn';
  const lines = Math.round((options.scale * 100_000) / LINES_PER_CYCLE) * LINES_PER_CYCLE;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-writers-'));
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; load average ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
  );
  try {
    await generate(dir, lines);
    console.log(`${lines.toLocaleString('en-US')} lines (scale ${options.scale}), ${options.rounds} rounds`);
    const results: Record<Variant, { seconds: number[]; latencies: number[] }> = {
      new: { seconds: [], latencies: [] },
      floor: { seconds: [], latencies: [] },
      old: { seconds: [], latencies: [] },
    };
    const order = (['new', 'floor', 'old'] as const).filter((variant) => options.variants.includes(variant));
    const unknown = options.variants.filter((name) => !(name in VARIANTS));
    if (unknown.length > 0 || order.length === 0) throw new Error(`--variants: not among new, floor, old: ${unknown}`);
    for (let round = 1; round <= options.rounds; round++) {
      // Each round starts with another variant, so none always runs on a warmer (or busier) machine.
      const first = (round - 1) % order.length;
      const turn = [...order.slice(first), ...order.slice(0, first)];
      for (const variant of turn) {
        const alone = await oneImport(variant, dir, lines, false);
        const beside = await oneImport(variant, dir, lines, true);
        const sorted = [...beside.latencies].sort((a, b) => a - b);
        console.log(
          `round ${round} ${variant.padEnd(5)}: ${rate(lines, alone.seconds).toLocaleString('en-US')} lines/s ` +
            `(${alone.seconds.toFixed(1)} s); beside a producer ${rate(lines, beside.seconds).toLocaleString('en-US')} ` +
            `lines/s, producer ${sorted.length} writes, p50 ${ms(percentile(sorted, 50))}, ` +
            `p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1) ?? NaN)}`,
        );
        results[variant].seconds.push(alone.seconds);
        results[variant].latencies.push(...beside.latencies);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const linesPerSecond = (variant: Variant) => rate(lines, median(results[variant].seconds));
    console.log('summary (median import of the rounds; producer latencies of all rounds pooled):');
    for (const variant of order) {
      const sorted = [...results[variant].latencies].sort((a, b) => a - b);
      console.log(
        `  ${variant.padEnd(5)} ${linesPerSecond(variant).toLocaleString('en-US')} lines/s; producer ` +
          `${sorted.length} writes p50 ${ms(percentile(sorted, 50))} p99 ${ms(percentile(sorted, 99))} ` +
          `max ${ms(sorted.at(-1) ?? NaN)}`,
      );
    }
    // Ratios of the same round's imports, run minutes apart, see less of the machine's drift than ratios of medians.
    for (const [over, under] of [
      ['new', 'floor'],
      ['new', 'old'],
    ] as const) {
      if (!order.includes(over) || !order.includes(under)) continue;
      const ratios = results[over].seconds.map((seconds, round) => results[under].seconds[round]! / seconds);
      console.log(
        `  ${over} / ${under} = ${(linesPerSecond(over) / linesPerSecond(under)).toFixed(2)} on medians; ` +
          `by round ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
