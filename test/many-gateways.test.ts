import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrationsList } from '../migrations';
import { generateNoteKey } from '../src/checkpoint/note-keys';
import { runCli, type ServingGateway, startServe, stopProcess } from './harness/cli';
import { withClient } from './harness/database';
import { withDatabase } from './harness/global-setup';
import { writeRecords } from './harness/record-writers';

/**
 * Two gateways on one database, as behind a load balancer: real `serve`
 * processes, started together on an empty database.
 */
const admin = process.env.AUDITGRAPH_TEST_ADMIN_URL!;
const name = `auditgraph_test_many_${randomBytes(4).toString('hex')}`;
const url = withDatabase(admin, name);
const LIMIT = 8;

let folder: string;
let env: NodeJS.ProcessEnv;
let gateways: ServingGateway[] = [];

beforeAll(async () => {
  await withClient(admin, (client) => client.query(`create database ${name}`));
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-many-'));
  const keyFile = path.join(folder, 'checkpoint.key');
  await writeFile(keyFile, `${generateNoteKey('many-gateways').signerKey}\n`, { mode: 0o600 });
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: url,
    AUDITGRAPH_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    AUDITGRAPH_CHECKPOINT_KEY_FILE: keyFile,
    AUDITGRAPH_CHECKPOINT_ORIGIN: 'example.com/many-gateways',
    AUDITGRAPH_CHECKPOINT_INTERVAL_S: '0',
    AUDITGRAPH_INTEGRATE_INTERVAL_MS: '50',
  };
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => stopProcess(gateway.child)));
  await withClient(admin, (client) => client.query(`drop database if exists ${name} with (force)`));
  await rm(folder, { recursive: true, force: true });
});

const query = (client: Parameters<Parameters<typeof withClient>[1]>[0], sql: string) =>
  client.query(sql).then(({ rows }) => rows);

async function ask(gateway: ServingGateway, secret: string, requestId: string) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'x-request-id': requestId },
    body: JSON.stringify({ query: '{ decisions(first: 1) { nodes { id } } }' }),
  });
  const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
  return {
    status: response.status,
    code: body.errors?.[0]?.extensions.code,
    rateLimit: response.headers.get('ratelimit'),
  };
}

async function newKey(keyName: string): Promise<string> {
  const { code, stdout, stderr } = await runCli(['keys', 'create', '--name', keyName, '--role', 'investigator'], env);
  if (code !== 0) throw new Error(stderr);
  return stdout.trim();
}

const requestIds: string[] = [];
let sent = 0;
/** Asks gateway `index` (0 or 1), remembering the request id the query audit log must hold. */
function askGateway(index: number, secret: string) {
  const requestId = `many-${index}-${(sent += 1)}`;
  requestIds.push(requestId);
  return ask(gateways[index]!, secret, requestId);
}

test('started together on an empty database, both serve and every migration ran once, the other gateway waiting', async () => {
  gateways = await Promise.all([startServe([], env), startServe([], env)]);
  const rows = await withClient(url, (client) => query(client, 'select name from mikro_orm_migrations order by id'));
  expect(rows.map((row) => row.name)).toEqual(migrationsList.map((migration) => migration.name));
});

test('a rate limit holds across the gateways: one count per caller, whichever gateway answers', async () => {
  const secret = await newKey('shared-limit');
  const answers = [];
  for (let i = 0; i < LIMIT + 2; i++) answers.push(await askGateway(i % 2, secret));
  expect(answers.slice(0, LIMIT).map(({ status }) => status)).toEqual(Array(LIMIT).fill(200));
  // Counted together: the remaining requests go down by one per request across both gateways.
  expect(answers.slice(0, LIMIT).map(({ rateLimit }) => /r=(\d+)/.exec(rateLimit!)![1])).toEqual(
    Array.from({ length: LIMIT }, (_, i) => String(LIMIT - 1 - i)),
  );
  expect(answers.slice(LIMIT).map(({ status, code }) => [status, code])).toEqual([
    [429, 'RATE_LIMITED'],
    [429, 'RATE_LIMITED'],
  ]);
});

test('a key revoked through one database reaches every gateway on its next request', async () => {
  const secret = await newKey('revoked-soon');
  expect((await askGateway(0, secret)).status).toBe(200);
  expect((await askGateway(1, secret)).status).toBe(200);
  const revoked = await runCli(['keys', 'revoke', 'revoked-soon'], env);
  expect(revoked.code).toBe(0);
  for (const index of [0, 1])
    expect(await askGateway(index, secret)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
});

test('one integrator and one checkpoint publisher among them: the tree verifies, each checkpoint signed once', async () => {
  for (let round = 0; round < 5; round++) await withClient(url, (client) => writeRecords(client, 20));
  // Both gateways integrate every 50 ms; wait until the tree holds every leaf and a checkpoint signs it.
  const settled = async () =>
    withClient(url, (client) =>
      query(
        client,
        `select (select tree_size from merkle_integration) = (select count(*) from merkle_leaves)
            and (select max(tree_size) from merkle_checkpoints) = (select tree_size from merkle_integration)
            and (select count(*) from merkle_leaves) >= 100 as done`,
      ),
    );
  for (let waited = 0; !(await settled())[0]!.done; waited += 100) {
    if (waited > 30_000) throw new Error('the gateways did not integrate the records within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const verify = await runCli(['verify', '--full'], env);
  expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const checkpoints = await withClient(url, (client) =>
    query(client, 'select tree_size::int as size from merkle_checkpoints order by signed_at, tree_size'),
  );
  const sizes = checkpoints.map((row) => row.size as number);
  expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
  for (const gateway of gateways) expect(gateway.output()).not.toMatch(/"level":(50|60)/);
});

test('the query audit log holds every request either gateway answered, refused ones included', async () => {
  const rows = await withClient(url, (client) =>
    client.query<{ request_id: string }>(`select request_id from query_audit_log where request_id like 'many-%'`),
  );
  expect(rows.rows.map((row) => row.request_id).sort()).toEqual([...requestIds].sort());
});
