import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { signCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { rootAt } from '../src/merkle/proofs';

/**
 * Times `auditgraph verify` over a seeded database: seeds (`--scale`) and
 * integrates a fresh database, signs `--checkpoints` checkpoints of earlier
 * tree sizes (as a day of coalesced checkpoints would be), then runs the
 * first default run (it re-encodes every record: nothing was verified
 * before), default runs after it, and a --full run, each as cron runs it.
 *
 *   npm run bench:verify -- --scale 10 --checkpoints 1000
 */
const program = new Command('verify.bench')
  .addOption(new Option('--scale <n>', 'size: 1 = 10,000 decisions').argParser(Number).default(1))
  .addOption(new Option('--checkpoints <n>', 'signed checkpoints of earlier sizes').argParser(Number).default(1000))
  .option(
    '--server <url>',
    'PostgreSQL server (its database is ignored)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--database <name>', 'an existing seeded and integrated database to use instead of a fresh one')
  .parse();
const options = program.opts<{ scale: number; checkpoints: number; server: string; database?: string }>();
const CLI = path.join(__dirname, '../src/cli.js');

function run(url: string, args: string[]): string {
  const started = Date.now();
  const output = execFileSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: url },
    encoding: 'utf8',
  });
  const line = `${((Date.now() - started) / 1000).toFixed(2)} s wall: auditgraph ${args.join(' ')}`;
  console.log(`${line}\n  ${output.trim().split('\n')[0]}`);
  return output;
}

/** Checkpoints at `count` evenly spaced sizes up to the tree's, signed with a fresh key, stored as the signer stores them. */
async function signCheckpoints(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const signer = parseSignerKey(generateNoteKey('bench').signerKey);
    const { rows } = await client.query<{ size: string }>('select tree_size::text as size from merkle_integration');
    const size = Number(rows[0]!.size);
    const store = pgHashStore(client);
    await client.query(
      `insert into checkpoint_keys (verifier_key, key_name, first_tree_size) values ($1, 'bench', 1)`,
      [signer.verifierKey],
    );
    for (let n = 1; n <= count; n++) {
      const at = Math.max(1, Math.round((size * n) / count));
      const root = await rootAt(store, at);
      const time = new Date(Date.now() - (count - n) * 1000).toISOString().replace(/Z$/, '000Z');
      const note = signCheckpoint({ origin: 'auditgraph/bench', size: at, root, time }, signer);
      await client.query(
        `insert into merkle_checkpoints (tree_size, root, signed_at, key_name, note) values ($1, $2, $3, 'bench', $4)
         on conflict do nothing`,
        [at, root, time, note],
      );
    }
  } finally {
    await client.end();
  }
}

async function main() {
  const name = options.database ?? `auditgraph_bench_verify_${Date.now()}`;
  const url = new URL(options.server);
  url.pathname = `/${name}`;
  if (!options.database) {
    const admin = new pg.Client({ connectionString: options.server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    run(url.toString(), ['migrate']);
    run(url.toString(), ['seed', '--scale', String(options.scale)]);
    run(url.toString(), ['integrate']);
  }
  await signCheckpoints(url.toString(), options.checkpoints);
  run(url.toString(), ['verify']);
  for (let i = 0; i < 3; i++) run(url.toString(), ['verify']);
  run(url.toString(), ['verify', '--full']);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
