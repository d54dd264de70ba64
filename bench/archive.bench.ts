import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { MANIFEST_SUFFIX } from '../src/archive/archive-manifest';
import { ensureDataset } from './dataset';
import { startGateway } from './systems';

/**
 * The archive as an operator runs it, on a copy of the benchmark dataset of
 * `--scale` (a template copy of `auditgraph_bench_s<scale>`, dropped after):
 * `archive --execute` (bodies past the hot window: rows/s, MB/s of body text,
 * archive bytes against the bodies' and the database's), `archive --full`
 * (every record: rows/s, MB/s, bytes against the database's), `archive verify`,
 * `retention purge --execute` (the purge reads every archived copy back), and
 * then the gateway answering `payload` for purged bodies from the archive
 * against bodies still in the database, one request at a time, alternating:
 * p50/p99 latency of each (the seed's warm tier asks for 5 s).
 *
 *   npm run bench:archive -- --scale 10
 */
const program = new Command('archive.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--reads <n>', 'payload reads of each source').argParser(Number).default(300))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; reads: number; server: string }>();
const CLI = path.join(__dirname, '../src/cli.js');

const urlOf = (database: string) => {
  const url = new URL(options.server);
  url.pathname = `/${database}`;
  return url.toString();
};

/** Bytes of the files under `folder` whose name `matches`. */
const folderBytes = (folder: string, matches: (name: string) => boolean = () => true): number =>
  readdirSync(folder, { withFileTypes: true }).reduce((sum, entry) => {
    const at = path.join(folder, entry.name);
    if (entry.isDirectory()) return sum + folderBytes(at, matches);
    return matches(entry.name) ? sum + statSync(at).size : sum;
  }, 0);

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const mb = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const dataset = new URL(await ensureDataset(options.server, options.scale)).pathname.slice(1);
  const work = mkdtempSync(path.join(tmpdir(), 'auditgraph-archive-bench-'));
  const database = `archive_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.server });
  await admin.connect();
  const archiveDir = path.join(work, 'archive');
  mkdirSync(archiveDir);
  const archiveKey = path.join(work, 'archive.key');
  writeFileSync(archiveKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const signerKey = path.join(work, 'checkpoint.key');
  const env = {
    LOG_LEVEL: 'warn',
    AUDITGRAPH_ACTOR: 'bench',
    AUDITGRAPH_ARCHIVE_DIR: archiveDir,
    AUDITGRAPH_ARCHIVE_KEY_FILE: archiveKey,
    AUDITGRAPH_CHECKPOINT_KEY_FILE: signerKey,
  };
  const run = (args: string[]) => {
    const started = Date.now();
    const output = execFileSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, DATABASE_URL: urlOf(database) },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    return { seconds: (Date.now() - started) / 1000, output };
  };
  let client: pg.Client | undefined;
  try {
    // A file-level copy: the shared dataset stays as seeded for the other benchmarks.
    await admin.query(`create database ${database} template ${dataset}`);
    client = new pg.Client({ connectionString: urlOf(database) });
    await client.connect();
    run(['checkpoint', 'keygen', '--name', 'bench', '--out', signerKey]);
    const integrated = run(['integrate']);
    console.log(`scale ${options.scale}: integrated and signed in ${integrated.seconds.toFixed(1)} s`);
    const databaseBytes = Number(
      (await client.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes')).rows[0]!
        .bytes,
    );

    // The policy's run (bodies past the hot window), then one more that takes every body a day old, so the
    // throughput is measured over most of the dataset, not only its older tranche.
    let archivedBodies = 0;
    let archivedBodyBytes = 0;
    for (const window of [[], ['--older-than', '1d']]) {
      const archived = run(['archive', '--execute', '--format', 'json', ...window]);
      const archive = JSON.parse(archived.output) as { bodies: number; bodyBytes: number; files: unknown[] };
      archivedBodies += archive.bodies;
      archivedBodyBytes += archive.bodyBytes;
      console.log(
        `archive --execute ${window.join(' ') || '(policy hot window)'}: ${archive.bodies} bodies ` +
          `(${mb(archive.bodyBytes).toFixed(1)} MB of body text) in ${archive.files.length} files, ` +
          `${archived.seconds.toFixed(1)} s — ${Math.round(archive.bodies / archived.seconds)} bodies/s, ` +
          `${(mb(archive.bodyBytes) / archived.seconds).toFixed(2)} MB/s`,
      );
    }
    const bodiesDir = path.join(archiveDir, 'bodies');
    const bodiesBytes = folderBytes(bodiesDir);
    const manifestBytes = folderBytes(bodiesDir, (name) => name.endsWith(MANIFEST_SUFFIX));
    console.log(
      `archive size: ${mb(bodiesBytes).toFixed(1)} MB for ${archivedBodies} bodies (of it manifests ` +
        `${mb(manifestBytes).toFixed(1)} MB) = ${((100 * bodiesBytes) / archivedBodyBytes).toFixed(1)}% of the ` +
        `body text, ${((100 * bodiesBytes) / databaseBytes).toFixed(1)}% of the database (${mb(databaseBytes).toFixed(0)} MB)`,
    );

    // The full archive: every record the tree holds (0d: integrated just now, as the dataset was), leaf by leaf.
    const full = run(['archive', '--full', '--older-than', '0d', '--execute', '--format', 'json']);
    const records = (JSON.parse(full.output) as { records: { files: { rows: number }[] } }).records;
    const recordsDir = path.join(archiveDir, 'records');
    const recordsBytes = folderBytes(recordsDir);
    const recordsManifests = folderBytes(recordsDir, (name) => name.endsWith(MANIFEST_SUFFIX));
    const rows = records.files.reduce((sum, file) => sum + file.rows, 0);
    console.log(
      `archive --full --older-than 0d --execute: ${rows} rows in ${records.files.length} records files, ` +
        `${full.seconds.toFixed(1)} s — ${Math.round(rows / full.seconds)} rows/s, ` +
        `${(mb(recordsBytes) / full.seconds).toFixed(2)} MB/s written; ${mb(recordsBytes).toFixed(1)} MB ` +
        `(manifests ${mb(recordsManifests).toFixed(1)} MB) = ${((100 * recordsBytes) / databaseBytes).toFixed(1)}% of the database`,
    );
    const archiveBytes = folderBytes(archiveDir);

    const verified = run(['archive', 'verify', '--format', 'json']);
    const verify = JSON.parse(verified.output) as {
      files: number;
      frames: number;
      records: number;
      findings: unknown[];
    };
    console.log(
      `archive verify: ${verify.files} files, ${verify.frames} frames, ${verify.records} records in ` +
        `${verified.seconds.toFixed(1)} s — ${Math.round(verify.records / verified.seconds)} records/s, ` +
        `${(mb(archiveBytes) / verified.seconds).toFixed(2)} MB/s, ${verify.findings.length} findings`,
    );

    const purged = run(['retention', 'purge', '--execute', '--format', 'json']);
    const purge = JSON.parse(purged.output) as { payloads: number; heldBack: number };
    console.log(
      `retention purge --execute: ${purge.payloads} bodies purged after reading their copies back, ` +
        `${purged.seconds.toFixed(1)} s — ${Math.round(purge.payloads / purged.seconds)} bodies/s`,
    );

    await readBackLatency(client);
  } finally {
    await client?.end();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  }

  async function readBackLatency(connection: pg.Client): Promise<void> {
    const sample = async (where: string) =>
      (
        await connection.query<{ id: string }>(
          `select id::text from api_payloads where ${where} order by md5(id::text) limit ${options.reads}`,
        )
      ).rows.map(({ id }) => Buffer.from(`ApiPayload:${id}`).toString('base64'));
    const sources = {
      ARCHIVE: await sample('payload is null and id in (select api_payload_id from archived_bodies)'),
      DATABASE: await sample('payload is not null'),
    };
    const gateway = await startGateway(urlOf(database), 4, env);
    try {
      const times: Record<string, number[]> = { ARCHIVE: [], DATABASE: [] };
      const ask = async (source: keyof typeof sources, id: string) => {
        const started = performance.now();
        const response = await fetch(`${gateway.origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...gateway.headers },
          body: JSON.stringify({
            query: 'query($id: ID!) { apiPayload(id: $id) { payloadSource payload } }',
            variables: { id },
          }),
        });
        const answer = (await response.json()) as { data?: { apiPayload: { payloadSource: string } | null } };
        times[source]!.push(performance.now() - started);
        if (answer.data?.apiPayload?.payloadSource !== source)
          throw new Error(`${id} answered ${JSON.stringify(answer)}, not a ${source} payload`);
      };
      // Warm the gateway's code paths once before anything counts.
      await ask('DATABASE', sources.DATABASE[0]!);
      times.DATABASE = [];
      const reads = Math.min(sources.ARCHIVE.length, sources.DATABASE.length);
      for (let at = 0; at < reads; at += 1) {
        await ask('ARCHIVE', sources.ARCHIVE[at]!);
        await ask('DATABASE', sources.DATABASE[at]!);
      }
      for (const source of ['ARCHIVE', 'DATABASE'] as const) {
        const sorted = [...times[source]!].sort((a, b) => a - b);
        console.log(
          `payload read, source ${source}: ${sorted.length} requests one at a time, ` +
            `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
            `max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
        );
      }
    } finally {
      await gateway.stop();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
