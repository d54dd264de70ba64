import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseVerifierKey } from '../src/checkpoint/note-keys';
import { cliPath, runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { checkedStoredTree } from './harness/merkle-check';
import { oneBatchLeafOrder, writeRecords } from './harness/record-writers';

// `auditgraph integrate` killed with SIGKILL in the middle of a big batch (after
// its first chunk is stored, before it commits), then run again: the tree is the
// one an uninterrupted run makes. Runs the built CLI (npm run build).

let database: TestDatabase;
let folder: string;
const key = generateNoteKey('crash-test');
const env = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: database.url,
  AUDITGRAPH_CHECKPOINT_KEY_FILE: path.join(folder, 'signer.key'),
});

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-crash-'));
  await writeFile(path.join(folder, 'signer.key'), `${key.signerKey}\n`, { mode: 0o600 });
  await withClient(database.url, async (client) => {
    // Six transactions of 5,000 decisions: a batch of over 30,000 rows, six chunks or more.
    for (let transaction = 0; transaction < 6; transaction++) await writeRecords(client, 5_000);
  });
});
afterAll(async () => {
  await database.drop();
  await rm(folder, { recursive: true, force: true });
});

/** Starts `auditgraph integrate` and SIGKILLs it once it logs its first stored chunk; resolves with its stderr. */
function killAfterFirstChunk(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), 'integrate'], { env: { ...env(), LOG_LEVEL: 'debug' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('integration chunk stored')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve(stderr)
        : reject(new Error(`integrate ended with ${code} before a chunk:\n${stderr}`)),
    );
  });
}

test('kill -9 mid-batch, then resume: nothing of the killed batch stays, and the tree is an uninterrupted run’s', async () => {
  const stderr = await killAfterFirstChunk();
  expect(stderr.match(/integration chunk stored/g)?.length).toBeGreaterThanOrEqual(1);
  const killed = await withClient(database.url, checkedStoredTree);
  expect(killed.size).toBe(0);

  // The killed client's backend may still hold the lock until it notices: the rerun waits its turn.
  const rerun = await runCli(['integrate'], env());
  expect(rerun.stderr).toBe('');
  expect(rerun.code).toBe(0);
  const [, size, root] = /^tree size (\d+), root (\S+)$/m.exec(rerun.stdout)!;
  const tree = await withClient(database.url, checkedStoredTree);
  expect(tree.leaves).toEqual(await withClient(database.url, oneBatchLeafOrder));
  expect(Number(size)).toBe(tree.size);
  expect(root).toBe(tree.root.toString('base64'));
  expect(tree.size).toBeGreaterThan(30_000);
  // The head it leaves is signed, and nothing of the killed run was.
  expect(rerun.stdout).toContain(`checkpoint signed at tree size ${size}\n`);
  const notes = await withClient(database.url, (client) =>
    client.query<{ note: string }>('select note from merkle_checkpoints order by tree_size'),
  );
  expect(
    notes.rows.map(({ note }) => openCheckpoint(note, [parseVerifierKey(key.verifierKey)]).checkpoint.size),
  ).toEqual([tree.size]);

  // Nothing left: a second run adds nothing and prints the same head.
  const again = await runCli(['integrate'], env());
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`tree size ${size}, root ${root}\n0 leaves integrated`);
});

test('a database it cannot reach: exit 2, one line', async () => {
  const result = await runCli(['integrate'], { ...env(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^auditgraph: cannot reach the database: .*\n$/);
});
