import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import pg from 'pg';
import { writeBenchmarkSection } from './benchmarks-file';
import { ensureDataset } from './dataset';

/**
 * What a BRIN index on a lineage table's time column would buy the
 * time-bounded reports, against the B-tree each table has today
 * (`(created_at, id)`, which is also its keyset-paging order): sizes, the
 * column's physical correlation, and a day's and a month's range aggregate —
 * the shape of the daily summary and the monthly reports — with only the
 * B-tree, then only the BRIN (created and the B-tree dropped inside a
 * transaction rolled back after), alternating, medians of `--runs`.
 *
 *   npm run bench:time-indexes -- --scale 100
 */
const program = new Command('time-indexes.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(100))
  .addOption(new Option('--runs <n>', 'timed runs per query and index').argParser(Number).default(5))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--write', 'write the results into BENCHMARKS.md')
  .parse();
const options = program.opts<{ scale: number; runs: number; server: string; write?: boolean }>();

/**
 * Each lineage table's time column, its B-tree as the migrations name it, and a column of the row a report
 * groups by (so the heap is read, as every report reads it: a count alone would be index-only on the B-tree).
 */
const TABLES = [
  { table: 'api_payloads', column: 'created_at', btree: 'api_payloads_created_at_id_index', grouped: 'http_status' },
  { table: 'trade_decisions', column: 'created_at', btree: 'trade_decisions_created_at_id_index', grouped: 'status' },
  { table: 'trade_executions', column: 'created_at', btree: 'trade_executions_created_at_id_index', grouped: 'status' },
  { table: 'audit_events', column: 'occurred_at', btree: 'audit_events_occurred_at_seq_index', grouped: 'event' },
];

type Timing = { btreeMs: number; brinMs: number; btreePlan: string; brinPlan: string };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(client: pg.Client, sql: string): Promise<number> {
  const started = performance.now();
  await client.query(sql);
  return performance.now() - started;
}

async function scanOf(client: pg.Client, sql: string): Promise<string> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${sql}`);
  const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
  return /(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)/.exec(plan)?.[1] ?? 'other';
}

async function main() {
  const url = await ensureDataset(options.server, options.scale);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const lines = [
    `Command: \`npm run bench:time-indexes -- --scale ${options.scale} --runs ${options.runs}\``,
    '',
    '| table | rows | B-tree MB | BRIN kB | correlation | range | B-tree ms | plan | BRIN ms | plan | BRIN ÷ B-tree |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- | ---: |',
  ];
  try {
    await client.query('set jit = off');
    for (const { table, column, btree, grouped } of TABLES) {
      const { rows: facts } = await client.query<{ rows: string; btree: string; newest: Date; correlation: number }>(
        `select (select count(*) from ${table})::text as rows, pg_relation_size('${btree}')::text as btree,
                (select max(${column}) from ${table}) as newest,
                (select correlation from pg_stats where tablename = '${table}' and attname = '${column}') as correlation`,
      );
      const newest = facts[0]!.newest;
      const dayStart = new Date(Date.UTC(newest.getUTCFullYear(), newest.getUTCMonth(), newest.getUTCDate() - 7));
      const monthStart = new Date(Date.UTC(newest.getUTCFullYear(), newest.getUTCMonth() - 1, 1));
      const ranges = [
        { name: 'a day', from: dayStart, until: new Date(dayStart.getTime() + 86_400_000) },
        {
          name: 'a month',
          from: monthStart,
          until: new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1)),
        },
      ];
      let brinBytes = 0;
      for (const range of ranges) {
        const sql =
          `select ${grouped}, count(*) from ${table} ` +
          `where ${column} >= '${range.from.toISOString()}' and ${column} < '${range.until.toISOString()}' ` +
          `group by ${grouped}`;
        const timing: Timing = { btreeMs: 0, brinMs: 0, btreePlan: '', brinPlan: '' };
        const btreeRuns: number[] = [];
        const brinRuns: number[] = [];
        const withBtree = async () => {
          btreeRuns.push(await timed(client, sql));
          timing.btreePlan = await scanOf(client, sql);
        };
        const withBrin = async () => {
          await client.query('begin');
          await client.query(`create index time_brin on ${table} using brin (${column})`);
          await client.query(`drop index ${btree}`);
          const size = await client.query<{ n: string }>(`select pg_relation_size('time_brin')::text as n`);
          brinBytes = Number(size.rows[0]!.n);
          brinRuns.push(await timed(client, sql));
          timing.brinPlan = await scanOf(client, sql);
          await client.query('rollback');
        };
        // Alternating which goes first: neither always runs on the pages the other just read.
        for (let run = 0; run < options.runs; run++)
          for (const variant of run % 2 === 0 ? [withBtree, withBrin] : [withBrin, withBtree]) await variant();
        timing.btreeMs = median(btreeRuns);
        timing.brinMs = median(brinRuns);
        lines.push(
          `| ${table} | ${Number(facts[0]!.rows).toLocaleString('en-US')} | ${(Number(facts[0]!.btree) / 1e6).toFixed(1)} ` +
            `| ${(brinBytes / 1e3).toFixed(0)} | ${facts[0]!.correlation?.toFixed(3) ?? '—'} | ${range.name} ` +
            `| ${timing.btreeMs.toFixed(1)} | ${timing.btreePlan} | ${timing.brinMs.toFixed(1)} | ${timing.brinPlan} ` +
            `| ${(timing.brinMs / timing.btreeMs).toFixed(2)}× |`,
        );
        console.error(lines.at(-1));
      }
    }
  } finally {
    await client.end();
  }
  const report = lines.join('\n');
  console.log(report);
  if (options.write)
    writeBenchmarkSection(
      'time-indexes.bench',
      'BRIN against the B-trees on time: `npm run bench:time-indexes`',
      report,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
