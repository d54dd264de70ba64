import 'reflect-metadata';
import os from 'node:os';
import { Command, Option } from 'commander';
import pg from 'pg';
import { ensureDataset } from './dataset';
import { QUESTIONS, type Question, type Samples } from './questions';
import { startGateway } from './systems';

/**
 * p50/p95 of the investigator questions (filters, counts, aggregates, time
 * travel) through the gateway as production runs it, over HTTP with an
 * investigator's key, on a generated dataset of the given scale.
 *
 *   npm run bench:questions -- --scale 10 --runs 30
 *
 * Questions are asked round-robin, one at a time, so the machine's noise falls
 * on all of them alike; each answer is checked for errors, and a figure from
 * it (a count, a number of groups) is printed beside the timings so a fast
 * empty answer cannot pass for a fast one.
 */
const program = new Command('questions.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--runs <n>', 'timed runs per question, after one warm-up').argParser(Number).default(30))
  .option('--only <family>', 'ask only the questions of one family')
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; runs: number; only?: string; server: string }>();

async function samplesOf(url: string): Promise<Samples> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ symbol: string; strategy: string; last: Date; position: string }>(
    `select (select symbol from trade_decisions group by symbol order by count(*) desc, symbol limit 1) as symbol,
            (select strategy from trade_decisions group by strategy order by count(*) desc, strategy limit 1) as strategy,
            (select max(created_at) from trade_decisions) as last,
            (select position_id::text from trade_executions where position_id is not null
              group by position_id order by count(*) desc, position_id limit 1) as position`,
  );
  await client.end();
  const row = rows[0]!;
  const last = new Date(row.last);
  return { symbol: row.symbol, strategy: row.strategy, last, positionDatabaseId: row.position };
}

type Timing = { question: Question; times: number[]; figure: string };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const url = await ensureDataset(options.server, options.scale);
  const samples = await samplesOf(url);
  const questions = QUESTIONS.filter((question) => !options.only || question.family === options.only);
  if (questions.length === 0) throw new Error(`no questions of family ${options.only}`);
  const gateway = await startGateway(url, 10);
  const ask = async (question: Question) => {
    const started = performance.now();
    const response = await fetch(`${gateway.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gateway.headers },
      body: JSON.stringify({ query: question.query, variables: question.variables(samples) }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    const ms = performance.now() - started;
    if (!response.ok || body.errors) throw new Error(`${question.name}: ${JSON.stringify(body.errors ?? body)}`);
    return { ms, data: body.data! };
  };
  try {
    const timings: Timing[] = [];
    for (const question of questions) {
      const { data } = await ask(question); // warm-up: plans cached, pages in memory
      timings.push({ question, times: [], figure: question.figure(data) });
    }
    for (let run = 0; run < options.runs; run++) {
      for (const timing of timings) timing.times.push((await ask(timing.question)).ms);
    }
    const lines = [
      `Scale ${options.scale}; ${options.runs} runs per question after a warm-up, asked round-robin over HTTP ` +
        `to the production gateway (investigator key). ` +
        `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}.`,
      '',
      '| family | question | p50 ms | p95 ms | answer |',
      '| --- | --- | ---: | ---: | --- |',
      ...timings.map(({ question, times, figure }) => {
        const sorted = [...times].sort((a, b) => a - b);
        return (
          `| ${question.family} | ${question.name} | ${percentile(sorted, 50).toFixed(1)} ` +
          `| ${percentile(sorted, 95).toFixed(1)} | ${figure} |`
        );
      }),
    ];
    console.log(lines.join('\n'));
  } finally {
    await gateway.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
