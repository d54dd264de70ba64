import 'reflect-metadata';
import os from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Command, Option } from 'commander';
import pg from 'pg';
import { createOrm } from '../src/database/orm';
import { apiErrors } from '../src/reports/api-errors.report';
import { dailySummary } from '../src/reports/daily-summary.report';
import { failureAnalysis } from '../src/reports/failure-analysis.report';
import { IntegrityCheck, integrityReport, runIntegrityCheck } from '../src/reports/integrity.report';
import { daysPeriod, type Period, quarterPeriod } from '../src/reports/period';
import { strategyPerformance } from '../src/reports/strategy-performance.report';
import { symbolReport } from '../src/reports/symbol-report.report';
import { tradeBlotter } from '../src/reports/trade-blotter.report';
import { ensureDataset } from './dataset';
import { type Instant, instantOf, millisecondsOf } from '../src/time/instant';

/**
 * Times every audit report on a generated dataset of the given scale, and
 * shows, with EXPLAIN, which indexes each statement uses.
 *
 *   npm run bench:reports -- --scale 100
 *
 * The dataset goes into its own database on the server of --server (created
 * and seeded on the first run, reused after), never into DATABASE_URL's.
 */
const program = new Command('reports.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(100))
  .addOption(new Option('--runs <n>', 'timed runs per report, after one warm-up').argParser(Number).default(5))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; runs: number; server: string }>();

const DAY_MS = 86_400_000;
const day = (date: Date | Instant) => (typeof date === 'string' ? date : date.toISOString()).slice(0, 10);
const BIG_TABLES =
  /Seq Scan on (trade_decisions|trade_executions|api_payloads|positions|decision_inputs|data_ingestion_runs)\b/g;

type Statement = { sql: string; bindings: unknown[] };

/** The indexes and big-table scans in a statement's plan. */
async function planOf(
  client: pg.Client,
  statement: Statement & { settings: string[] },
): Promise<{ indexes: string[]; seqScans: string[] }> {
  await client.query('begin');
  for (const setting of statement.settings) await client.query(setting);
  // The driver-level text ($1, $2… and their values), as PostgreSQL received it.
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${statement.sql}`, statement.bindings);
  await client.query('rollback');
  const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
  const indexes = [
    ...plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g),
  ].map((match) => match[1]!);
  return {
    indexes: [...new Set(indexes)],
    seqScans: [...new Set([...plan.matchAll(BIG_TABLES)].map((match) => match[1]!))],
  };
}

async function measure(em: EntityManager, client: pg.Client, name: string, work: () => Promise<unknown>) {
  const knex = em.getConnection().getKnex();
  const statements: Statement[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) =>
    statements.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  await work(); // warm-up, and the statements to explain
  knex.off('query', listener);
  // Only queries have plans; a query inside a transaction is explained under the
  // `set local` settings that came before it there (as the integrity checks run).
  const queries: (Statement & { settings: string[] })[] = [];
  let settings: string[] = [];
  for (const statement of statements) {
    if (/^\s*(begin|commit|rollback)\b/i.test(statement.sql)) settings = [];
    else if (/^\s*set local\b/i.test(statement.sql)) settings.push(statement.sql);
    else if (/^\s*(select|with)\b/i.test(statement.sql)) queries.push({ ...statement, settings });
  }
  const times: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const plans = [];
  for (const statement of queries) plans.push(await planOf(client, statement));
  return {
    name,
    medianMs: times[Math.floor(times.length / 2)]!,
    maxMs: times.at(-1)!,
    statements: queries.length,
    indexes: [...new Set(plans.flatMap((plan) => plan.indexes))],
    seqScans: [...new Set(plans.flatMap((plan) => plan.seqScans))],
  };
}

async function main() {
  const url = await ensureDataset(options.server, options.scale);
  const orm = await createOrm({ databaseUrl: url, poolMax: 4 });
  const em = orm.em.fork();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const [span] = await em.getConnection().execute<{ first: Date; last: Date; symbol: string }[]>(
    `select min(created_at) as first, max(created_at) as last,
            (select symbol from trade_decisions group by symbol order by count(*) desc limit 1) as symbol
       from trade_decisions`,
  );
  const lastDay = day(new Date(new Date(span!.last).getTime() - DAY_MS / 2));
  const weekAgo = day(new Date(new Date(span!.last).getTime() - 7 * DAY_MS));
  const whole: Period = daysPeriod(day(new Date(span!.first)), day(new Date(span!.last)));
  const tables = [
    'data_ingestion_runs',
    'api_payloads',
    'trade_decisions',
    'decision_inputs',
    'trade_executions',
    'positions',
  ];
  const counts = await em
    .getConnection()
    .execute<{ name: string; rows: number }[]>(
      tables.map((table) => `select '${table}' as name, count(*)::int as rows from ${table}`).join(' union all '),
    );

  const results: Awaited<ReturnType<typeof measure>>[] = [];
  const run = async (name: string, work: () => Promise<unknown>) => {
    const result = await measure(em, client, name, work);
    console.error(`${name}: ${result.medianMs.toFixed(0)} ms`);
    results.push(result);
  };
  await run(`dailySummary(${lastDay})`, () => dailySummary(em, { date: lastDay }));
  await run(`strategyPerformance(${weekAgo}..${lastDay})`, () =>
    strategyPerformance(em, { from: weekAgo, to: lastDay }),
  );
  await run(`strategyPerformance(whole span)`, () => strategyPerformance(em, { from: day(whole.from), to: lastDay }));
  await run(`failureAnalysis(${weekAgo}..${lastDay})`, () => failureAnalysis(em, { from: weekAgo, to: lastDay }));
  await run(`failureAnalysis(whole span)`, () => failureAnalysis(em, { from: day(whole.from), to: lastDay }));
  await run(`symbolReport(${span!.symbol}, ${lastDay})`, () =>
    symbolReport(em, { symbol: span!.symbol, from: lastDay, to: lastDay }),
  );
  await run(`apiErrors(last 24 h)`, () =>
    apiErrors(em, {
      since: instantOf(new Date(new Date(span!.last).getTime() - DAY_MS)),
      until: instantOf(new Date(span!.last)),
    }),
  );
  await run(`tradeBlotter(${lastDay})`, () => tradeBlotter(em, { date: lastDay }));
  const integrityPeriod: Period = { from: whole.from, until: whole.until };
  for (const check of Object.values(IntegrityCheck)) {
    await run(`  integrity ${check}`, () => runIntegrityCheck(em, check, integrityPeriod, 100));
  }
  await run(`integrityReport(whole span, all 8 checks)`, () => integrityReport(em, integrityPeriod, { limit: 100 }));
  // The quarter holding most of the data (the span is 90 days, so it straddles two).
  const busiestMonth = new Date(millisecondsOf(whole.until) - 45 * DAY_MS).getUTCMonth();
  const quarter = quarterPeriod(`${whole.until.slice(0, 4)}Q${Math.floor(busiestMonth / 3) + 1}`);
  await run(`integrityReport(${day(quarter.from)} quarter)`, () => integrityReport(em, quarter, { limit: 100 }));
  const findings = await integrityReport(em, integrityPeriod, { limit: 0 });
  await client.end();
  await orm.close();

  const lines = [
    `Scale ${options.scale}: ${counts.map((table) => `${table.name} ${table.rows.toLocaleString('en')}`).join(', ')}.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Node ${process.version}; ${options.runs} timed runs after a warm-up.`,
    '',
    '| report | median ms | max ms | statements | indexes used | seq scans of big tables |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...results.map(
      (result) =>
        `| ${result.name} | ${result.medianMs.toFixed(0)} | ${result.maxMs.toFixed(0)} | ${result.statements} ` +
        `| ${result.indexes.join(', ') || '—'} | ${result.seqScans.join(', ') || '—'} |`,
    ),
    '',
    `Integrity findings over ${day(integrityPeriod.from)}..` +
      `${day(new Date(millisecondsOf(integrityPeriod.until) - DAY_MS))}: ` +
      findings.findings.map((finding) => `${finding.check} ${finding.count}`).join(', ') +
      '.',
  ];
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
