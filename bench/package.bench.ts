import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { createOrm } from '../src/database/orm';
import { signCheckpointIfDue } from '../src/integrator/checkpoint-signer';
import { integrateAll } from '../src/integrator/integrate-all';
import { verifierKeys } from '../src/proof/checkpoint-reads';
import { emQueryable } from '../src/proof/em-queryable';
import { packagePeriod } from '../src/reports/package-period';
import { writeCompliancePackage } from '../src/reports/write-compliance-package';
import { verifyPackage } from '../src/verifier/compliance-package';
import { ensureDataset } from './dataset';

/**
 * The compliance package of the dataset's last whole quarter: the tree
 * integrated and a checkpoint signed first (a bench key of its own), then the
 * time `auditgraph package` takes to build, sign and write it, its files and
 * bytes, and the time `verify-bundle --package` takes to check it.
 *
 *   npm run bench:package -- --scale 10
 */
const program = new Command('package.bench')
  .addOption(new Option('--scale <n>', 'dataset size (1 = 10,000 decisions)').argParser(Number).default(10))
  .addOption(new Option('--runs <n>', 'timed packages, after one warm-up').argParser(Number).default(3))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .parse();
const options = program.opts<{ scale: number; runs: number; server: string }>();

/** The last quarter that ends before `last`, e.g. 2026Q3 for data ending 2026-12-01. */
function quarterBefore(last: Date): string {
  const quarter = Math.floor(last.getUTCMonth() / 3) + 1;
  return quarter === 1 ? `${last.getUTCFullYear() - 1}Q4` : `${last.getUTCFullYear()}Q${quarter - 1}`;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function main(): Promise<void> {
  const url = await ensureDataset(options.server, options.scale);
  const { signerKey } = generateNoteKey('auditgraph-bench');
  const signer = parseSignerKey(signerKey);
  const integrated = await integrateAll(url, async (connection) => {
    await signCheckpointIfDue(connection, { signer, origin: 'auditgraph/bench', intervalS: 0 });
  });
  console.log(`tree: ${integrated.size} leaves (${integrated.leaves} integrated now)`);
  const orm = await createOrm({ databaseUrl: url, poolMax: 4 });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-package-bench-'));
  try {
    const em = orm.em.fork();
    const [{ last }] = await em
      .getConnection()
      .execute<{ last: Date }[]>('select max(created_at) as last from trade_decisions');
    const quarter = quarterBefore(new Date(last));
    const period = packagePeriod({ quarter });
    const times: number[] = [];
    let summary = '';
    for (let run = 0; run <= options.runs; run++) {
      const started = process.hrtime.bigint();
      const written = await writeCompliancePackage(orm.em.fork(), period, {
        dir: path.join(folder, 'package'),
        force: true,
        actor: 'bench',
        signer,
      });
      if (run > 0) times.push(seconds(started));
      const bytes = written.files.reduce((sum, file) => sum + file.content.length, 0);
      summary = `${written.files.length} files, ${(bytes / 1e6).toFixed(2)} MB`;
    }
    // Every key that ever signed (a run before this one signed the first checkpoint), as an examiner's keys.txt.
    const keys = await verifierKeys(emQueryable(em));
    const verifyStarted = process.hrtime.bigint();
    const verified = await verifyPackage(path.join(folder, 'package'), keys);
    const verifySeconds = seconds(verifyStarted);
    if (!verified.ok) throw new Error(`the package does not verify: ${verified.problems.join('; ')}`);
    times.sort((a, b) => a - b);
    console.log(
      `scale ${options.scale}, ${quarter}: package ${summary}; ` +
        `median ${times[Math.floor(times.length / 2)]!.toFixed(2)} s over ${times.length} runs ` +
        `(min ${times[0]!.toFixed(2)}, max ${times.at(-1)!.toFixed(2)}); verify-bundle --package ${verifySeconds.toFixed(2)} s`,
    );
  } finally {
    await orm.close();
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
