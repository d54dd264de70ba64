import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { createOrm } from '../src/database/orm';
import { openCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseVerifierKey } from '../src/checkpoint/note-keys';
import { startServe, stopProcess, type ServingGateway } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { checkedStoredTree } from './harness/merkle-check';
import { signerKeyPart } from './harness/note-key-parts';
import { writeRecords } from './harness/record-writers';

// `serve` integrates in the background on a connection of its own: records
// committed while it serves become leaves within the interval, a cut
// connection is reconnected, and Ctrl-C stops it cleanly. Runs the built CLI.

let database: TestDatabase;
let gateway: ServingGateway;

const treeSize = () =>
  withClient(database.url, async (client) => {
    const { rows } = await client.query<{ size: string }>('select tree_size::text as size from merkle_integration');
    return Number(rows[0]!.size);
  });

/** Polls until the tree holds `size` leaves; resolves with how long that took (ms). */
async function untilTreeSize(size: number, withinMs: number): Promise<number> {
  const started = Date.now();
  while ((await treeSize()) < size) {
    if (Date.now() - started > withinMs) throw new Error(`the tree did not reach ${size} leaves in ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

const env = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LOG_LEVEL: 'warn',
  PORT: '0',
  DATABASE_URL: database.url,
  AUDITGRAPH_INTEGRATE_INTERVAL_MS: '100',
});

const write = (count: number) => withClient(database.url, (client) => writeRecords(client, count));

beforeAll(async () => {
  database = await createTestDatabase();
  await write(500);
  gateway = await startServe([], env());
});
afterAll(async () => {
  if (gateway.child.exitCode === null) await stopProcess(gateway.child, 'SIGKILL');
  await database.drop();
});

test('records committed before and while it serves become leaves, each within about the interval', async () => {
  // The 500 records and 2 more, and the gateway_started event the start appends.
  await untilTreeSize(503, 10_000);
  const delays: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = await treeSize();
    const rows = await write(3);
    delays.push(await untilTreeSize(before + rows.length, 5_000));
  }
  // 100 ms interval: a commit waits at most one interval and a batch.
  expect(Math.max(...delays)).toBeLessThan(1_000);
  const tree = await withClient(database.url, checkedStoredTree);
  expect(tree.size).toBe(503 + 5 * 5);
});

test('its metrics show the tree size, how far it integrated, and the batch durations', async () => {
  const orm = await createOrm({ databaseUrl: database.url, poolMax: 1 });
  const { secret } = await createApiKey(orm.em.fork(), 'integrator-test', { name: 'prometheus', role: Role.admin });
  await orm.close();
  const scrape = async () =>
    (
      await fetch(gateway.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${secret}` } })
    ).text();
  // The key's ADMIN event becomes a leaf too: scrape until the gauge has caught up with it.
  let size = await treeSize();
  let metrics = await scrape();
  for (let attempt = 0; attempt < 50 && !metrics.includes(`auditgraph_merkle_tree_size ${size}\n`); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    size = await treeSize();
    metrics = await scrape();
  }
  expect(metrics).toContain(`auditgraph_merkle_tree_size ${size}\n`);
  const through = /^auditgraph_integration_integrated_through_timestamp_seconds (\S+)$/m.exec(metrics)![1];
  const lag = Date.now() / 1000 - Number(through);
  expect(lag).toBeGreaterThanOrEqual(0);
  expect(lag).toBeLessThan(5);
  expect(metrics).toMatch(/^auditgraph_integration_batch_seconds_count [1-9]\d*$/m);
});

test('its connection terminated by the database: it reconnects and integrates what was committed meanwhile', async () => {
  const terminated = await withClient(database.url, async (client) => {
    const { rows } = await client.query<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity
        where application_name = 'auditgraph integrator' and datname = current_database()`,
    );
    return rows.length;
  });
  expect(terminated).toBe(1);
  const before = await treeSize();
  const rows = await write(10);
  await untilTreeSize(before + rows.length, 10_000);
  await withClient(database.url, checkedStoredTree);
});

test('Ctrl-C stops it cleanly, integrator included; without a key it said once that it signs nothing', async () => {
  expect(await stopProcess(gateway.child, 'SIGINT')).toBe(130);
  expect(gateway.output()).not.toMatch(/"level":50|unclean shutdown/);
  expect(gateway.output().match(/no checkpoint is signed/g)).toHaveLength(1);
  const { rows } = await withClient(database.url, (client) => client.query('select 1 from merkle_checkpoints'));
  expect(rows).toHaveLength(0);
});

test('with a key file it signs checkpoints of the tree after its batches', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-serve-key-'));
  const { signerKey, verifierKey } = generateNoteKey('serve-test');
  await writeFile(path.join(folder, 'signer.key'), `${signerKey}\n`, { mode: 0o600 });
  const stopped = await treeSize();
  gateway = await startServe([], { ...env(), AUDITGRAPH_CHECKPOINT_KEY_FILE: path.join(folder, 'signer.key') });
  try {
    // Its gateway_started event first.
    await untilTreeSize(stopped + 1, 5_000);
    const before = stopped + 1;
    const rows = await write(4);
    await untilTreeSize(before + rows.length, 5_000);
    const started = Date.now();
    let note: string | undefined;
    while (!note && Date.now() - started < 5_000) {
      const { rows: signed } = await withClient(database.url, (client) =>
        client.query<{ note: string }>('select note from merkle_checkpoints where tree_size = $1', [
          before + rows.length,
        ]),
      );
      note = signed[0]?.note;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { checkpoint } = openCheckpoint(note!, [parseVerifierKey(verifierKey)]);
    expect(checkpoint.size).toBe(before + rows.length);
    expect(checkpoint.origin).toBe(`auditgraph/${new URL(database.url).pathname.slice(1)}`);
    expect(gateway.output()).not.toContain(signerKeyPart(signerKey));
  } finally {
    await stopProcess(gateway.child, 'SIGINT');
    await rm(folder, { recursive: true, force: true });
  }
});
