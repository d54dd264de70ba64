import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseVerifierKey } from '../src/checkpoint/note-keys';
import { applyPendingMigrations } from '../src/database/migrations';
import { createOrm } from '../src/database/orm';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { rootAt } from '../src/merkle/proofs';
import { cliPath, runCli, startServe, stopProcess, type ServingGateway } from './harness/cli';
import { withClient } from './harness/database';
import { checkedStoredTree } from './harness/merkle-check';
import { type OwnCluster, startOwnCluster } from '../bench/own-cluster';
import { oneBatchLeafOrder, writeRecords } from './harness/record-writers';

// Crash safety against PostgreSQL itself: a cluster of the test's own is
// crash-restarted (`pg_ctl restart -m immediate`: no shutdown checkpoint, WAL
// recovery) while `auditgraph integrate` is in a big batch, and while a
// gateway serves; a gateway is SIGKILLed mid-batch. Each time the tree the
// resumed integrator leaves is the one an uninterrupted integration of a copy
// of the same database (`create database … template`, the same rows and xids)
// makes, and the checkpoints stay consistent. Runs the built CLI.

let cluster: OwnCluster;
let folder: string;
const gateways: ChildProcess[] = [];
const key = generateNoteKey('restart-test');
const verifier = parseVerifierKey(key.verifierKey);

const env = (url: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: url,
  AUDITGRAPH_CHECKPOINT_KEY_FILE: path.join(folder, 'signer.key'),
  ...extra,
});

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-restart-'));
  await writeFile(path.join(folder, 'signer.key'), `${key.signerKey}\n`, { mode: 0o600 });
  cluster = await startOwnCluster();
  // Migrated in-process without the snapshot: `auditgraph migrate` would rewrite migrations/.snapshot.json
  // from this cluster's catalog, whose PostgreSQL version may name types differently.
  const orm = await createOrm({ databaseUrl: await cluster.createDatabase('migrated'), poolMax: 1, snapshot: false });
  try {
    await applyPendingMigrations(orm);
  } finally {
    await orm.close();
  }
});
afterAll(async () => {
  for (const child of gateways)
    if (child.exitCode === null && child.signalCode === null) await stopProcess(child, 'SIGKILL');
  await cluster?.stop();
  await rm(folder, { recursive: true, force: true });
});

const write = (url: string, count: number) => withClient(url, (client) => writeRecords(client, count));

const treeSize = (url: string) =>
  withClient(url, async (client) => {
    const { rows } = await client.query<{ size: string }>('select tree_size::text as size from merkle_integration');
    return Number(rows[0]!.size);
  });

/** Polls (20 ms) until the tree holds at least `size` leaves. */
async function untilTreeSize(url: string, size: number, withinMs: number): Promise<void> {
  const started = Date.now();
  while ((await treeSize(url)) < size) {
    if (Date.now() - started > withinMs) throw new Error(`the tree did not reach ${size} leaves in ${withinMs} ms`);
    await sleep(20);
  }
}

/** Everything stored of the tree but the integration times: what two databases' trees must agree on. */
const storedTree = (url: string) =>
  withClient(url, async (client) => ({
    state: (await client.query('select tree_size::text, root from merkle_integration')).rows,
    leaves: (
      await client.query(
        'select leaf_index::text, source, record_key, leaf_hash from merkle_leaves order by leaf_index',
      )
    ).rows,
    nodes: (await client.query('select level, node_index::text, hash from merkle_nodes order by level, node_index'))
      .rows,
  }));

/**
 * The stored tree checked against its records (no leaf missing, doubled or
 * changed), equal to `reference`'s, and every checkpoint signed by our key of
 * the tree's root at its size (rootAt over the stored hashes). Returns the
 * checkpointed sizes.
 */
async function expectSameTreeAndConsistentCheckpoints(
  url: string,
  reference: string,
  startedSince: string[] = [],
): Promise<number[]> {
  const tree = await withClient(url, checkedStoredTree);
  // Every record is a leaf, once.
  expect(new Set(tree.leaves).size).toBe(tree.size);
  expect([...tree.leaves].sort()).toEqual((await withClient(url, oneBatchLeafOrder)).sort());
  const [ours, theirs] = await Promise.all([storedTree(url), storedTree(reference)]);
  if (startedSince.length === 0) {
    expect(ours.state).toEqual(theirs.state);
    expect(ours.leaves.length).toBe(theirs.leaves.length);
    // One comparison of the whole table: jest's diff of 60,000 rows one by one costs too much.
    expect(JSON.stringify(ours.leaves) === JSON.stringify(theirs.leaves)).toBe(true);
    expect(JSON.stringify(ours.nodes) === JSON.stringify(theirs.nodes)).toBe(true);
  } else {
    // A gateway started since the reference was copied appended its gateway_started event, which a batch
    // takes among the others: the same leaves but those, each leaf's hash the same, in another order.
    const keyed = (leaves: { source: string; record_key: string; leaf_hash: Buffer }[]) =>
      leaves.map((leaf) => `${leaf.source}/${leaf.record_key}/${leaf.leaf_hash.toString('hex')}`).sort();
    const started = new Set(startedSince.map((seq) => `audit_events/${seq}/`));
    const ourLeaves = keyed(ours.leaves).filter((leaf) => !started.has(leaf.slice(0, leaf.lastIndexOf('/') + 1)));
    expect(ourLeaves.length).toBe(ours.leaves.length - startedSince.length);
    expect(JSON.stringify(ourLeaves) === JSON.stringify(keyed(theirs.leaves))).toBe(true);
  }
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ size: string; root: Buffer; note: string }>(
      'select tree_size::text as size, root, note from merkle_checkpoints order by tree_size',
    );
    const store = pgHashStore(client);
    for (const row of rows) {
      const { checkpoint } = openCheckpoint(row.note, [verifier]);
      expect({ size: checkpoint.size, root: checkpoint.root }).toEqual({ size: Number(row.size), root: row.root });
      expect(await rootAt(store, checkpoint.size)).toEqual(row.root);
    }
    return rows.map((row) => Number(row.size));
  });
}

/** Lines a process wrote to stderr that are not JSON log lines: what a terminal is told. */
const toldLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));

test('PostgreSQL crash-restarted mid-batch under `integrate`: exit 2 in one line, nothing of the batch stays, and a rerun makes the uninterrupted tree', async () => {
  const url = await cluster.createDatabase('restarted', 'migrated');
  await write(url, 200);
  expect((await runCli(['integrate'], env(url))).code).toBe(0);
  const before = await treeSize(url);
  // Six transactions of 10,000 decisions (with an audit event and a query audit entry each): twelve chunks.
  for (let transaction = 0; transaction < 6; transaction++)
    await withClient(url, async (client) => {
      await client.query('begin');
      await writeRecords(client, 10_000);
      await client.query('commit');
    });
  const reference = await cluster.createDatabase('restarted_reference', 'restarted');

  const child = spawn(process.execPath, [cliPath(), 'integrate'], { env: env(url, { LOG_LEVEL: 'debug' }) });
  let stderr = '';
  let restarting: Promise<void> | undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!restarting && stderr.includes('integration chunk stored')) restarting = cluster.crashRestart();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await restarting;
  expect(restarting).toBeDefined();
  expect({ code, told: toldLines(stderr) }).toEqual({
    code: 2,
    told: [expect.stringMatching(/^auditgraph: cannot reach the database: /)],
  });
  expect(await treeSize(url)).toBe(before);

  const [rerun, uninterrupted] = await Promise.all([
    runCli(['integrate'], env(url)),
    runCli(['integrate'], env(reference)),
  ]);
  expect([rerun.code, rerun.stderr, uninterrupted.code]).toEqual([0, '', 0]);
  const size = before + 6 * 10_002;
  expect(rerun.stdout).toContain(`tree size ${size}, root `);
  expect(await expectSameTreeAndConsistentCheckpoints(url, reference)).toEqual([before, size]);
  const verify = await runCli(['verify'], env(url));
  expect({ code: verify.code, stdout: verify.stdout }).toEqual({
    code: 0,
    stdout: expect.stringMatching(`^intact: tree of ${size} leaves consistent with 2 checkpoints`),
  });
});

/** Sessions on `database` other than the asker's: a killed gateway's backends linger until they notice. */
const sessionsOn = (url: string, database: string) =>
  withClient(url, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return rows[0]!.n;
  });

async function serve(url: string): Promise<ServingGateway> {
  const gateway = await startServe(
    [],
    env(url, { LOG_LEVEL: 'info', PORT: '0', AUDITGRAPH_INTEGRATE_INTERVAL_MS: '100' }),
  );
  gateways.push(gateway.child);
  return gateway;
}

test('a gateway SIGKILLed mid-batch, then a new one: it resumes; PostgreSQL crash-restarted while it serves: it reconnects', async () => {
  const url = await cluster.createDatabase('served', 'migrated');
  const first = await serve(url);
  await write(url, 100);
  await untilTreeSize(url, 102, 10_000);
  const before = await treeSize(url);

  // One transaction of 60,000 decisions, then the batch that takes them: the integrator's backend active in
  // a transaction begun after the write began, storing leaves (not the checkpoint signer's transaction that
  // follows). Not "begun after the commit": a batch can begin between the commit and any clock read after
  // it, and take the rows (under load that window missed the batch: the test waited 30 s for nothing).
  const writeBegan = await withClient(url, async (client) => {
    const { rows } = await client.query<{ at: Date }>('select clock_timestamp() as at');
    await client.query('begin');
    await writeRecords(client, 60_000);
    await client.query('commit');
    return rows[0]!.at;
  });
  const started = Date.now();
  for (;;) {
    const { rows } = await withClient(url, (client) =>
      client.query(
        `select 1 from pg_stat_activity
          where application_name = 'auditgraph integrator' and datname = current_database()
            and state = 'active' and xact_start > $1 and (query like '%merkle_leaves%' or query like '%merkle_nodes%')`,
        [writeBegan],
      ),
    );
    if (rows.length > 0) break;
    if (Date.now() - started > 30_000) throw new Error('the integrator never started the big batch');
    await sleep(20);
  }
  expect(await stopProcess(first.child, 'SIGKILL')).toBeNull();
  // Its backends roll back once they notice the client gone; then the copy of the database can be made.
  while ((await sessionsOn(cluster.urlFor('postgres'), 'served')) > 0) await sleep(50);
  expect(await treeSize(url)).toBe(before);
  const reference = await cluster.createDatabase('served_reference', 'served');

  const second = await serve(url);
  // The batch, then the second gateway's gateway_started event, committed after it: one leaf the reference,
  // copied before that start, does not have.
  const size = before + 60_002 + 1;
  const [uninterrupted] = await Promise.all([runCli(['integrate'], env(reference)), untilTreeSize(url, size, 60_000)]);
  expect(uninterrupted.code).toBe(0);
  expect(await treeSize(url)).toBe(size);
  const { rows: starts } = await withClient(url, (client) =>
    client.query<{ seq: string }>(
      `select seq::text from audit_events where event = 'gateway_started' order by seq desc limit 1`,
    ),
  );
  const checkpointed = await expectSameTreeAndConsistentCheckpoints(
    url,
    reference,
    starts.map(({ seq }) => seq),
  );
  expect(checkpointed.at(-1)).toBe(size);

  await cluster.crashRestart();
  const afterRestart = await write(url, 20);
  await untilTreeSize(url, size + afterRestart.length, 20_000);
  expect(await stopProcess(second.child, 'SIGINT')).toBe(130);
  const output = second.output();
  expect(output.match(/integration batch failed|integrator connection lost/g)).toHaveLength(1);
  expect(output.match(/integration resumed/g)).toHaveLength(1);

  // The rows written after the restart, each a leaf once after the others; verify re-hashes them.
  const { rows: added } = await withClient(url, (client) =>
    client.query<{ leaf: string }>(
      `select source || '/' || record_key as leaf from merkle_leaves where leaf_index >= $1 order by leaf_index`,
      [size],
    ),
  );
  expect(added.map(({ leaf }) => leaf).sort()).toEqual([...afterRestart].sort());
  const verify = await runCli(['verify'], env(url));
  expect({ code: verify.code, stdout: verify.stdout }).toEqual({
    code: 0,
    stdout: expect.stringMatching(`^intact: tree of ${size + afterRestart.length} leaves`),
  });
});
