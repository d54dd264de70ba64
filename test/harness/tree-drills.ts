import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { signCheckpoint } from '../../src/checkpoint/checkpoint-note';
import { type NoteSigner, parseSignerKey, generateNoteKey } from '../../src/checkpoint/note-keys';
import { withClient, type TestDatabase } from './database';
import { withDatabase } from './global-setup';

/**
 * What a hostile superuser does to the record: every trigger off for the
 * session (append-only rules and foreign keys alike), `work`, commit.
 */
export function asSuperuser(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  return withClient(url, async (client) => {
    await client.query('begin');
    await client.query(`set local session_replication_role = replica`);
    await work(client);
    await client.query('commit');
  });
}

/** A fresh signer key, as AUDITGRAPH_CHECKPOINT_KEY_FILE would hold it. */
export const newSigner = (name: string): NoteSigner => parseSignerKey(generateNoteKey(name).signerKey);

/** The checkpoint time: the instant now, in the one spelling checkpoints use (microseconds, Z). */
const now = () => new Date().toISOString().replace(/Z$/, '000Z');

/**
 * Signs a checkpoint of the tree as it stands (merkle_integration) and
 * stores it, with its key, as the integrator's signer stores them.
 */
export async function signTree(client: pg.ClientBase, signer: NoteSigner, origin = 'auditgraph/test'): Promise<string> {
  const { rows } = await client.query<{ size: string; root: Buffer }>(
    'select tree_size::text as size, root from merkle_integration',
  );
  const size = Number(rows[0]!.size);
  const time = now();
  const note = signCheckpoint({ origin, size, root: rows[0]!.root, time }, signer);
  await client.query(
    `insert into checkpoint_keys (verifier_key, key_name, first_tree_size) values ($1, $2, $3) on conflict do nothing`,
    [signer.verifierKey, signer.name, size],
  );
  await client.query(
    `insert into merkle_checkpoints (tree_size, root, signed_at, key_name, note) values ($1, $2, $3, $4, $5)`,
    [size, rows[0]!.root, time, signer.name, note],
  );
  return note;
}

/**
 * A witness folder as `auditgraph checkpoint publish --to DIR` leaves it:
 * `<size>.checkpoint` per signed checkpoint and the public keys in keys.txt.
 */
export async function publishCheckpoints(client: pg.ClientBase, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { rows } = await client.query<{ size: string; note: string }>(
    'select tree_size::text as size, note from merkle_checkpoints order by tree_size',
  );
  for (const { size, note } of rows) writeFileSync(path.join(dir, `${size}.checkpoint`), note, { flag: 'wx' });
  const keys = await client.query<{ key: string }>('select verifier_key as key from checkpoint_keys order by added_at');
  writeFileSync(path.join(dir, 'keys.txt'), keys.rows.map(({ key }) => `${key}\n`).join(''));
}

/** A copy of `template` (no session may be connected to it): each drill tampers with a record of its own. */
export async function cloneDatabase(template: TestDatabase): Promise<TestDatabase> {
  const admin = process.env.AUDITGRAPH_TEST_ADMIN_URL!;
  const name = `auditgraph_drill_${randomBytes(5).toString('hex')}`;
  const templateName = new URL(template.url).pathname.slice(1);
  await withClient(admin, (client) => client.query(`create database ${name} template ${templateName}`));
  return {
    url: withDatabase(admin, name),
    drop: () =>
      withClient(admin, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export type DrillBase = {
  /** Seeded, integrated, checkpointed: clone it per drill (cloneDatabase), never tamper with it. */
  database: TestDatabase;
  /** The witness folder: every checkpoint the base has signed. */
  witness: string;
  signer: NoteSigner;
  /** The tree's size at the last checkpoint; its last leaf is the audit event `lastSeq`. */
  size: number;
  lastSeq: string;
};

/** The CLI's environment for a database: the bound short, so a drill of the integrator waits 1 s, not 5. */
export const cliEnv = (url: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LOG_LEVEL: 'warn',
  DATABASE_URL: url,
  AUDITGRAPH_INTEGRATION_BOUND_S: '1',
});

/**
 * The record every drill starts from: demo data (scale 0.01), integrated and
 * checkpointed; then one audit event, integrated and checkpointed again, so
 * the tree has two signed heads and its last leaf is that event. Both
 * checkpoints are published to a witness folder.
 */
export async function drillBase(
  database: TestDatabase,
  runCli: (args: string[], env: NodeJS.ProcessEnv) => Promise<{ code: number | null; stderr: string }>,
  witness: string,
): Promise<DrillBase> {
  const env = cliEnv(database.url);
  for (const args of [['seed', '--scale', '0.01'], ['integrate']]) {
    const result = await runCli(args, env);
    if (result.code !== 0) throw new Error(`${args[0]} failed: ${result.stderr}`);
  }
  const signer = newSigner('auditgraph-test');
  await withClient(database.url, (client) => signTree(client, signer));
  const {
    rows: [event],
  } = await withClient(database.url, (client) =>
    client.query<{ seq: string }>(
      `insert into audit_events (log_type, event, event_data, actor, occurred_at)
       values ('SYSTEM', 'drill_marker', '{}', 'drill', now()) returning seq::text`,
    ),
  );
  const integrated = await runCli(['integrate'], env);
  if (integrated.code !== 0) throw new Error(`integrate failed: ${integrated.stderr}`);
  const size = await withClient(database.url, async (client) => {
    await signTree(client, signer);
    await publishCheckpoints(client, witness);
    return Number((await client.query('select tree_size from merkle_integration')).rows[0].tree_size);
  });
  return { database, witness, signer, size, lastSeq: event!.seq };
}
