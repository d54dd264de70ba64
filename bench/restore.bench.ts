import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { ensureDataset } from './dataset';

/**
 * Export and restore throughput: copies the benchmark dataset of `--scale`
 * (a template copy of `auditgraph_bench_s<scale>`, seeded the first time) on
 * `--server` and integrates it, times `auditgraph export --all` and `auditgraph
 * restore` into a second fresh database, each as an operator runs it, and
 * prints rows/s, MB/s and the export's size against the database's.
 *
 *   npm run bench:restore -- --scale 1
 */
const program = new Command('restore.bench')
  .addOption(new Option('--scale <n>', 'size: 1 = 10,000 decisions').argParser(Number).default(1))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; server: string }>();
const CLI = path.join(__dirname, '../src/cli.js');

const urlOf = (database: string) => {
  const url = new URL(options.server);
  url.pathname = `/${database}`;
  return url.toString();
};

async function main(): Promise<void> {
  const dataset = new URL(await ensureDataset(options.server, options.scale)).pathname.slice(1);
  const work = mkdtempSync(path.join(tmpdir(), 'auditgraph-restore-bench-'));
  const suffix = randomBytes(4).toString('hex');
  const [source, target] = [`restore_bench_${suffix}_source`, `restore_bench_${suffix}_target`];
  const admin = new pg.Client({ connectionString: options.server });
  await admin.connect();
  const archiveKey = path.join(work, 'archive.key');
  writeFileSync(archiveKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const signerKey = path.join(work, 'checkpoint.key');
  const env = (database: string) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    AUDITGRAPH_ACTOR: 'bench',
    AUDITGRAPH_ARCHIVE_KEY_FILE: archiveKey,
    AUDITGRAPH_CHECKPOINT_KEY_FILE: signerKey,
    DATABASE_URL: urlOf(database),
  });
  const run = (database: string, args: string[]) => {
    const started = Date.now();
    const output = execFileSync(process.execPath, [CLI, ...args], { env: env(database), encoding: 'utf8' });
    return { seconds: (Date.now() - started) / 1000, output };
  };
  try {
    // A file-level copy: the shared dataset stays as seeded for the other benchmarks.
    await admin.query(`create database ${source} template ${dataset}`);
    await admin.query(`create database ${target}`);
    run(source, ['checkpoint', 'keygen', '--name', 'bench', '--out', signerKey]);
    run(source, ['integrate']);
    const size = async (database: string) =>
      Number(
        (await admin.query<{ bytes: string }>('select pg_database_size($1)::text as bytes', [database])).rows[0]!.bytes,
      );
    const databaseBytes = await size(source);
    const exportDir = path.join(work, 'export');
    const exported = run(source, ['export', '--all', '--to', exportDir, '--format', 'json']);
    const summary = JSON.parse(exported.output) as { rows: number; bytes: number; treeSize: number };
    const restored = run(target, ['restore', exportDir, '--format', 'json']);
    const outcome = JSON.parse(restored.output) as { rows: number; seconds: number };
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const line = (what: string, seconds: number, rows: number) =>
      `${what}: ${rows} rows in ${seconds.toFixed(1)} s wall — ${Math.round(rows / seconds)} rows/s, ` +
      `${(mb(summary.bytes) / seconds).toFixed(2)} MB/s of export`;
    console.log(`scale ${options.scale}: ${summary.treeSize} leaves, ${summary.rows} rows`);
    console.log(line('export --all', exported.seconds, summary.rows));
    console.log(line('restore', restored.seconds, outcome.rows));
    console.log(
      `export ${mb(summary.bytes).toFixed(1)} MB against the database's ${mb(databaseBytes).toFixed(1)} MB ` +
        `(${((100 * summary.bytes) / databaseBytes).toFixed(1)}%); restored database ${mb(await size(target)).toFixed(1)} MB`,
    );
  } finally {
    for (const database of [source, target]) await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
