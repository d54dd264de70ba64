import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/base/config';
import { openCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseSignerKey, parseVerifierKey } from '../src/checkpoint/note-keys';
import { checkpointSigningOf, demoKeyFile } from '../src/integrator/checkpoint-key';
import type { CheckpointSigning } from '../src/integrator/checkpoint-signer';
import { integrateAll } from '../src/integrator/integrate-all';
import { signCheckpointIfDue } from '../src/integrator/checkpoint-signer';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { checkedStoredTree } from './harness/merkle-check';
import { verifierKeyPart } from './harness/note-key-parts';
import { writeRecords } from './harness/record-writers';
import { runCli } from './harness/cli';

let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-checkpoints-'));
});
afterAll(async () => {
  await database.drop();
  await rm(folder, { recursive: true, force: true });
});

/** The keys of this file's log: `first` signs, then is rotated to `second`. */
const FIRST = generateNoteKey('first');
const SECOND = generateNoteKey('second');
const signingWith = (signerKey: string, intervalS: number): CheckpointSigning => ({
  signer: parseSignerKey(signerKey),
  origin: 'example.com/auditgraph-test',
  intervalS,
});
const write = (count: number) => withClient(database.url, (client) => writeRecords(client, count));

type Row = { tree_size: string; root: Buffer; signed_at: string; key_name: string; note: string };
const checkpoints = () =>
  withClient(database.url, async (client) => {
    const { rows } = await client.query<Row>(
      'select tree_size::text, root, signed_at::text, key_name, note from merkle_checkpoints order by tree_size',
    );
    return rows;
  });
const keys = () =>
  withClient(database.url, async (client) => {
    const { rows } = await client.query<{ verifier_key: string; key_name: string; first_tree_size: string }>(
      'select verifier_key, key_name, first_tree_size::text from checkpoint_keys order by first_tree_size',
    );
    return rows;
  });
const signNow = (signing: CheckpointSigning) =>
  withClient(database.url, (client) => signCheckpointIfDue(client, signing));

test('a checkpoint of the tree after a batch: a signed tlog-checkpoint of its size and root, with its time', async () => {
  const first = FIRST;
  await write(20);
  await integrateAll(database.url, (connection) =>
    signCheckpointIfDue(connection, signingWith(first.signerKey, 1)).then(() => undefined),
  );
  const tree = await withClient(database.url, checkedStoredTree);
  const [row] = await checkpoints();
  expect(row).toMatchObject({ tree_size: String(tree.size), key_name: 'first' });
  expect(row!.root).toEqual(tree.root);
  const { checkpoint, signatures } = openCheckpoint(row!.note, [parseVerifierKey(first.verifierKey)]);
  expect(checkpoint).toMatchObject({ origin: 'example.com/auditgraph-test', size: tree.size });
  expect(checkpoint.root).toEqual(tree.root);
  expect(checkpoint.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  expect(signatures.map((signature) => signature.name)).toEqual(['first']);
  expect(await keys()).toEqual([
    { verifier_key: first.verifierKey, key_name: 'first', first_tree_size: String(tree.size) },
  ]);
});

test('coalesced: none while the newest is younger than the interval, none without growth', async () => {
  const key = FIRST;
  const before = (await checkpoints()).length;
  await write(5);
  await integrateAll(database.url);
  expect(await signNow(signingWith(key.signerKey, 3_600))).toBeNull();
  expect(await checkpoints()).toHaveLength(before);
  const size = await signNow(signingWith(key.signerKey, 0));
  expect(size).toBe((await withClient(database.url, checkedStoredTree)).size);
  // The tree has not grown since: nothing to sign, whatever the interval.
  expect(await signNow(signingWith(key.signerKey, 0))).toBeNull();
  expect(await checkpoints()).toHaveLength(before + 1);
});

test('a rotated key signs from a checkpoint on; the old key stays listed and its checkpoints still open with it', async () => {
  const [old, rotated] = [FIRST, SECOND];
  await write(3);
  await integrateAll(database.url);
  await signNow(signingWith(rotated.signerKey, 0));
  const rows = await checkpoints();
  expect(rows.at(-1)!.key_name).toBe('second');
  expect(rows.filter((row) => row.key_name === 'first').length).toBeGreaterThanOrEqual(1);
  for (const row of rows) {
    const { signatures } = openCheckpoint(row.note, [
      parseVerifierKey(old.verifierKey),
      parseVerifierKey(rotated.verifierKey),
    ]);
    expect(signatures).toHaveLength(1);
  }
  expect((await keys()).map((key) => key.key_name)).toEqual(['first', 'second']);
});

describe('which key', () => {
  test('the embedded demo makes a key in its data folder once, mode 600, and keeps using it', async () => {
    const config = loadConfig({ AUDITGRAPH_DATA_DIR: path.join(folder, 'postgres') });
    const first = await checkpointSigningOf(config, 'postgres://postgres@127.0.0.1:5432/auditgraph');
    const again = await checkpointSigningOf(config, 'postgres://postgres@127.0.0.1:5432/auditgraph');
    expect(first!.signer.verifierKey).toBe(again!.signer.verifierKey);
    expect(first!.origin).toBe('auditgraph/auditgraph');
    const file = demoKeyFile(config.dataDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(`${file}.pub`, 'utf8')).trim()).toBe(first!.signer.verifierKey);
  });

  test('DATABASE_URL without a key file signs nothing; a configured file signs; a bad file is refused naming it only', async () => {
    const url = 'postgres://app@db.example:5432/audit';
    expect(await checkpointSigningOf(loadConfig({ DATABASE_URL: url }), url)).toBeNull();
    const { signerKey, verifierKey } = generateNoteKey('ops');
    const file = path.join(folder, 'ops.key');
    await writeFile(file, `${signerKey}\n`);
    const signing = await checkpointSigningOf(
      loadConfig({ DATABASE_URL: url, AUDITGRAPH_CHECKPOINT_KEY_FILE: file, AUDITGRAPH_CHECKPOINT_INTERVAL_S: '5' }),
      url,
    );
    expect(signing).toMatchObject({ origin: 'auditgraph/audit', intervalS: 5 });
    expect(signing!.signer.verifierKey).toBe(verifierKey);
    await writeFile(file, `${verifierKey}\n`);
    const refused = checkpointSigningOf(loadConfig({ DATABASE_URL: url, AUDITGRAPH_CHECKPOINT_KEY_FILE: file }), url);
    await expect(refused).rejects.toThrow(new RegExp(`the checkpoint key file ${file}: `));
    await expect(refused).rejects.not.toThrow(verifierKeyPart(verifierKey));
  });

  test('auditgraph checkpoint keygen writes a key the gateway signs with (mode 600, .pub beside it), never over one', async () => {
    const file = path.join(folder, 'keygen.key');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
    const made = await runCli(['checkpoint', 'keygen', '--name', 'audit.example', '--out', file], env);
    expect(made.code).toBe(0);
    const verifierKey = (await readFile(`${file}.pub`, 'utf8')).trim();
    expect(made.stdout).toContain(verifierKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const url = 'postgres://app@db.example:5432/audit';
    const signing = await checkpointSigningOf(
      loadConfig({ DATABASE_URL: url, AUDITGRAPH_CHECKPOINT_KEY_FILE: file }),
      url,
    );
    expect(signing!.signer.verifierKey).toBe(verifierKey);
    expect(parseVerifierKey(verifierKey).name).toBe('audit.example');
    const before = await readFile(file, 'utf8');
    for (const [args, message] of [
      [['--name', 'audit.example', '--out', file], /exists: a key is never overwritten/],
      [['--name', 'two words', '--out', path.join(folder, 'other.key')], /--name: key name "two words"/],
      [['--name', 'x', '--out', path.join(folder, 'missing', 'k.key')], /cannot write .*: ENOENT/],
    ] as const) {
      const refused = await runCli(['checkpoint', 'keygen', ...args], env);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
