import 'reflect-metadata';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { verifyChain } from '../src/chain/verify-chain';
import { createOrm, type Orm } from '../src/database/orm';
import { applyPendingMigrations } from '../src/database/migrations';
import { ImportError, importFile } from '../src/import/import-files';
import { LINES_PER_CYCLE, generate, importAll } from './trading-log';
import { DECISIONS, EVENTS, EXECUTIONS, PAYLOADS, POSITIONS, type RecordTable } from '../src/record/record-tables';

/**
 * Generates a JSONL trading-log set (orders, trades, performance, errors;
 * 1 = 100,000 lines) and imports it into a fresh database, then shows that a
 * second import adds nothing, that a file with one bad line is imported as
 * nothing, and how long verify takes over the result.
 *
 *   npm run bench:import -- --scale 10
 */
const program = new Command('import.bench')
  .addOption(new Option('--scale <n>', 'size: 1 = 100,000 lines').argParser(Number).default(1))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; server: string }>();

async function rowCounts(orm: Orm): Promise<Record<string, number>> {
  const tables = ['api_payloads', 'trade_decisions', 'trade_executions', 'positions', 'audit_events'];
  const { rows } = await orm.em
    .getKnex()
    .raw(tables.map((table) => `select '${table}' as t, count(*)::int as n from ${table}`).join(' union all '));
  return Object.fromEntries((rows as { t: string; n: number }[]).map((row) => [row.t, row.n]));
}

/**
 * What no importer can beat on this machine: the rows the import wrote,
 * written again by the server itself from the tables (fresh external ids,
 * the same links), one INSERT … SELECT per table, in one transaction that is
 * then rolled back. No client, no parsing, no round trips: only the indexes,
 * constraints and, with `triggers`, the record tables' triggers (since the
 * chain's were retired, only refusals of UPDATE, DELETE and TRUNCATE).
 */
async function databaseFloor(orm: Orm, lines: number, triggers: boolean): Promise<string> {
  const knex = orm.em.getKnex();
  const parts: string[] = [];
  const rolledBack = new Error('rolled back on purpose');
  let total = 0;
  await knex
    .transaction(async (trx) => {
      if (!triggers)
        for (const { table } of [PAYLOADS, POSITIONS, DECISIONS, EXECUTIONS, EVENTS])
          await trx.raw(`alter table ${table} disable trigger user`);
      for (const spec of [PAYLOADS, POSITIONS, DECISIONS, EXECUTIONS, EVENTS] as RecordTable[]) {
        // What a producer sets that a second recording does not compare is copied too.
        const uncompared = spec === EVENTS ? ['actor'] : spec === PAYLOADS ? ['payload_bytes'] : [];
        const columns = [...spec.columns, ...uncompared];
        const values = columns.map((column) => (column === spec.externalId ? `${column} || '#floor'` : column));
        const started = process.hrtime.bigint();
        // Events are numbered by their sequence (seq's default), as a producer's are.
        const { rowCount } = await trx.raw(`insert into ${spec.table} (${columns.join(', ')})
        select ${values.join(', ')} from ${spec.table} order by ${spec === EVENTS ? 'seq' : 'id'}`);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        total += seconds;
        parts.push(`${spec.table} ${(rowCount as number).toLocaleString('en-US')} rows ${seconds.toFixed(1)} s`);
      }
      throw rolledBack;
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
  return (
    `${total.toFixed(1)} s, ${Math.round(lines / total).toLocaleString('en-US')} lines/s at most ` +
    `(${parts.join('; ')})`
  );
}

async function main() {
  const lines = Math.round((options.scale * 100_000) / LINES_PER_CYCLE) * LINES_PER_CYCLE;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-import-'));
  const database = `auditgraph_bench_import_${String(options.scale).replace('.', '_')}`;
  const admin = new pg.Client({ connectionString: options.server });
  await admin.connect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(options.server);
  url.pathname = `/${database}`;
  const orm = await createOrm({ databaseUrl: url.toString() });
  try {
    await applyPendingMigrations(orm);
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    );
    let started = Date.now();
    await generate(dir, lines);
    console.log(`generated ${lines.toLocaleString('en-US')} lines in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    console.log('import:');
    const first = await importAll(orm, dir);
    const after = await rowCounts(orm);
    console.log(
      `imported ${first.lines.toLocaleString('en-US')} lines in ${first.seconds.toFixed(1)} s: ` +
        `${Math.round(first.lines / first.seconds).toLocaleString('en-US')} lines/s, rows ${JSON.stringify(after)}`,
    );

    console.log('re-import of the same files:');
    const second = await importAll(orm, dir);
    const again = await rowCounts(orm);
    const added = Object.fromEntries(Object.entries(again).map(([table, n]) => [table, n - after[table]!]));
    console.log(`re-imported in ${second.seconds.toFixed(1)} s; rows added: ${JSON.stringify(added)}`);
    // Before the bad-line step, which reads orders.jsonl whole to make its broken copy.
    console.log(`peak RSS while importing: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);

    // A copy of orders.jsonl with line 50,000 (or the middle line of a smaller set) broken.
    const orders = (await readFile(path.join(dir, 'orders.jsonl'), 'utf8')).split('\n');
    const badLine = Math.min(50_000, Math.ceil((orders.length - 1) / 2));
    orders[badLine - 1] = orders[badLine - 1]!.replace(/"quantity":\d+/, '"quantity":"ten"').replace(
      /"order_id":"ord-/,
      '"order_id":"bad-',
    );
    const badDir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-import-bad-'));
    await writeFile(
      path.join(badDir, 'orders.jsonl'),
      orders.map((line) => line.replace('"order_id":"ord-', '"order_id":"new-')).join('\n'),
    );
    started = Date.now();
    try {
      await importFile(orm.em.fork(), path.join(badDir, 'orders.jsonl'), { actor: 'import.bench' });
      console.log('the file with a bad line was imported: THIS IS A BUG');
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      const unchanged = await rowCounts(orm);
      const diff = Object.fromEntries(Object.entries(unchanged).map(([table, n]) => [table, n - again[table]!]));
      console.log(
        `bad line ${badLine}: refused in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `rows added ${JSON.stringify(diff)}:\n  ${error.problems.join('\n  ')}`,
      );
    }
    await rm(badDir, { recursive: true, force: true });

    const verified = await verifyChain(orm.em.fork());
    console.log(
      `verify: ${verified.intact ? 'intact' : 'TAMPERED'}, ${verified.events} events, ` +
        `${verified.records} records in ${(verified.durationMs / 1000).toFixed(1)} s`,
    );

    // Last: the rolled-back rows leave dead tuples behind.
    console.log(
      `database floor, the same rows written by the server itself: ${await databaseFloor(orm, first.lines, true)}`,
    );
    console.log(`database floor without any trigger: ${await databaseFloor(orm, first.lines, false)}`);
  } finally {
    await orm.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
