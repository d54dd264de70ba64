import 'reflect-metadata';
import { Command, Option } from 'commander';
import pg from 'pg';
import { integrateAll } from '../src/integrator/integrate-all';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { inclusionProof } from '../src/merkle/proofs';
import { integratedSize } from '../src/proof/checkpoint-reads';
import { proveRecords } from '../src/proof/record-proofs';
import { ensureDataset } from './dataset';

/**
 * Proof generation on the largest tree at hand: the generated dataset of
 * --scale, integrated first, then for random leaves (fixed seed) the time of
 *   - an inclusion proof alone (one read of O(log n) stored subtrees), and
 *   - a record's whole proof as `inclusionProof(id:)` and `prove` make it:
 *     its leaf, its record (the leaf source's statement) and its proof.
 *
 *   npm run build && node dist/bench/proofs.bench.js --scale 10
 *
 * The dataset is the benchmarks' own database (see dataset.ts), or --database-url's.
 */
const program = new Command('proofs.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--samples <n>', 'proofs timed, after 20 warm-ups').argParser(Number).default(500))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--database-url <url>', 'an already seeded database to use instead of the scale dataset')
  .parse();
const options = program.opts<{ scale: number; samples: number; server: string; databaseUrl?: string }>();

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

/** A small deterministic generator (mulberry32), so every run proves the same leaves. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function time(samples: number, work: (sample: number) => Promise<unknown>): Promise<number[]> {
  for (let warm = 0; warm < 20; warm++) await work(warm);
  const times: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const started = process.hrtime.bigint();
    await work(sample);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const report = (name: string, times: number[]) =>
  console.log(
    `${name}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, ` +
      `max ${times.at(-1)!.toFixed(2)} ms (${times.length} proofs)`,
  );

async function main(): Promise<void> {
  const url = options.databaseUrl ?? (await ensureDataset(options.server, options.scale));
  const integrated = await integrateAll(url);
  console.log(
    `tree: ${integrated.size} leaves (${integrated.leaves} integrated now in ${integrated.seconds.toFixed(1)} s)`,
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const size = await integratedSize(client);
    const next = random(42);
    const indexes = Array.from({ length: options.samples + 20 }, () => Math.floor(next() * size));
    const { rows } = await client.query<{ source: string; key: string }>(
      `select source, record_key as key from merkle_leaves where leaf_index = any($1::bigint[])`,
      [indexes.map(String)],
    );
    const reader = pgHashStore(client);
    report(
      'inclusion proof alone',
      await time(options.samples, (sample) => inclusionProof(reader, indexes[sample]!, size)),
    );
    report(
      'a record proved (leaf, record, proof)',
      await time(options.samples, (sample) => proveRecords(client, [rows[sample % rows.length]!], size)),
    );
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
