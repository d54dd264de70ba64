import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { consistencyProof } from '../src/merkle/proofs';
import { readCheckpoint } from '../src/verifier/checkpoint';
import { verifyConsistency } from '../src/verifier/merkle-proofs';
import { readVerifierKey, verifyNote } from '../src/verifier/note';
import { runCli } from './harness/cli';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { investigationQuery } from './harness/investigations';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

// prove → verify-bundle as an examiner runs them, checkpoint show/publish as a
// witness does; the bundle checked with no database at all.

let gateway: TestGateway;
let trade: TradeFixture;
let key: LogKey;
let folder: string;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: gateway.database.url });
/** The examiner's machine: no DATABASE_URL (and no embedded data folder: nothing is started). */
const offline = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, AUDITGRAPH_DATA_DIR: '/nonexistent' });
const unreachable = () => ({ ...offline(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
const file = (name: string) => path.join(folder, name);

beforeAll(async () => {
  gateway = await startTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-proofs-'));
  key = await createLogKey(folder);
  trade = await createTrade(gateway.orm.em.fork(), { executionCount: 3, inputCount: 2 });
  await integrateAndSign(gateway.database.url, key);
});
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

describe('prove, then verify-bundle offline', () => {
  test('a decision: exit 0 with no database configured, and with an unreachable one', async () => {
    const proved = await runCli(['prove', trade.decision.nodeId, '--out', file('decision.json')], env());
    expect(proved).toMatchObject({ code: 0, stdout: '' });
    expect(proved.stderr).toMatch(/^1 record proved against the checkpoint of tree size \d+/);
    const bundle = JSON.parse(await readFile(file('decision.json'), 'utf8'));
    expect(bundle.format).toBe('auditgraph-proof-bundle/v1');
    expect(bundle.entries[0].record).toMatchObject({ type: 'TradeDecision', id: trade.decision.nodeId });
    for (const where of [offline(), unreachable()]) {
      const verified = await runCli(['verify-bundle', file('decision.json'), '--key', key.verifierKey], where);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toMatch(/verified: 1 record\n$/);
    }
  });

  test('a one-byte change of a record: exit 1, naming the entry', async () => {
    const text = await readFile(file('decision.json'), 'utf8');
    const changed = text.replace('"quantity": "10.50000000"', '"quantity": "10.50000001"');
    expect(changed).not.toBe(text);
    expect(changed.length).toBe(text.length);
    await writeFile(file('changed.json'), changed);
    const result = await runCli(['verify-bundle', file('changed.json'), '--key', key.verifierKey], offline());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAILED: entry 0 (TradeDecision ${trade.decision.nodeId}): its record is not leaf`);
  });

  test('another key: exit 1; a key that is not one, a file that is not a bundle: exit 2', async () => {
    const other = await createLogKey(folder, 'someone-else');
    const wrongKey = await runCli(['verify-bundle', file('decision.json'), '--key', other.verifierKey], offline());
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('FAILED: the checkpoint does not verify');
    const notAKey = await runCli(['verify-bundle', file('decision.json'), '--key', 'not a key'], offline());
    expect(notAKey).toMatchObject({ code: 2, stdout: '' });
    expect(notAKey.stderr).toMatch(/^auditgraph: .*verifier key/);
    await writeFile(file('text.txt'), 'hello');
    const notJson = await runCli(['verify-bundle', file('text.txt'), '--key', key.verifierKey], offline());
    expect(notJson).toMatchObject({ code: 2 });
    expect(notJson.stderr).toMatch(/^auditgraph: .*text\.txt: the bundle is not JSON/);
    const missing = await runCli(['verify-bundle', file('missing.json'), '--key', key.verifierKey], offline());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^auditgraph: the command failed: ENOENT/);
  });

  test('10 MB of nesting, and a 200 MB file: exit 2 with one line, no stack', async () => {
    await writeFile(file('deep.json'), `${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`);
    const deep = await runCli(['verify-bundle', file('deep.json'), '--key', key.verifierKey], offline());
    expect(deep.code).toBe(2);
    expect(deep.stderr.trim().split('\n')).toHaveLength(1);
    expect(deep.stderr).toMatch(/^auditgraph: .*deep\.json/);
    await writeFile(file('huge.json'), '');
    await truncate(file('huge.json'), 200 * 1024 * 1024);
    const huge = await runCli(['verify-bundle', file('huge.json'), '--key', key.verifierKey], offline());
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/^auditgraph: .*huge\.json is 209715200 bytes, larger than any proof bundle/);
  });

  test('the lineage of a position: every record the provenance query returns, and its decision inputs', async () => {
    const proved = await runCli(['prove', '--lineage', trade.position.nodeId, '--out', file('lineage.json')], env());
    expect(proved.code).toBe(0);
    const bundle = JSON.parse(await readFile(file('lineage.json'), 'utf8'));
    const proven = new Set(bundle.entries.map((entry: { record: { id?: string } }) => entry.record.id));
    const answer = await gateway.execute(investigationQuery('Trace a position'), { positionId: trade.position.nodeId });
    const ids = JSON.stringify(answer.data)
      .match(/"id":"[^"]+"/g)!
      .map((pair) => pair.slice(6, -1));
    expect(ids.length).toBeGreaterThanOrEqual(1 + 3 * 2 + 2);
    for (const id of ids) expect(proven).toContain(id);
    for (const type of ['Position', 'TradeExecution', 'TradeDecision', 'ApiPayload', 'IngestionRun', 'DecisionInput']) {
      expect(bundle.entries.some((entry: { record: { type: string } }) => entry.record.type === type)).toBe(true);
    }
    // 1 position, 3 executions with 6 broker payloads, 1 decision, 2 inputs, 1 run, 2 decision inputs.
    expect(bundle.entries).toHaveLength(16);
    const verified = await runCli(['verify-bundle', file('lineage.json'), '--key', key.verifierKey], offline());
    expect(verified.stdout).toMatch(/verified: 16 records\n$/);
    expect(verified.code).toBe(0);
  });

  test.each([
    [['prove'], /one record id, or --lineage/],
    [['prove', 'nope'], /`id` is not the id of a record/],
    [['prove', '--lineage', 'VHJhZGVEZWNpc2lvbjox'], /is the id of type TradeDecision, not Position/],
    [['prove', 'VHJhZGVEZWNpc2lvbjo5OTk5OTk'], /no record trade_decisions 999999/],
    [['prove', 'VHJhZGVEZWNpc2lvbjox', '--tree-size', '0'], /--tree-size must be a tree size/],
    [['prove', 'VHJhZGVEZWNpc2lvbjox', '--tree-size', '-1'], /--tree-size must be a tree size/],
    [['prove', 'VHJhZGVEZWNpc2lvbjox', '--tree-size', String(2 ** 53)], /--tree-size must be a tree size/],
    [['prove', 'VHJhZGVEZWNpc2lvbjox', '--tree-size', '999999'], /beyond the tree/],
    [['prove', 'VHJhZGVEZWNpc2lvbjox', '--tree-size', '1'], /no checkpoint was signed at tree size 1/],
  ])('prove %j: exit 2, one line', async (args, message) => {
    const result = await runCli(args, env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('checkpoint show and publish', () => {
  const witness = () => file('witness');
  const checkpointFiles = async () => (await readdir(witness())).filter((name) => name.endsWith('.checkpoint')).sort();

  test('show prints the newest signed note', async () => {
    const shown = await runCli(['checkpoint', 'show'], env());
    expect(shown.code).toBe(0);
    const { text } = verifyNote(shown.stdout, [readVerifierKey(key.verifierKey)]);
    expect(readCheckpoint(text).size).toBeGreaterThan(0);
  });

  test('publish writes each checkpoint once and the key; publishing again adds nothing', async () => {
    const first = await runCli(['checkpoint', 'publish', '--to', witness()], env());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^1 checkpoint written \(tree size \d+\), 0 already there, 1 key added/);
    const again = await runCli(['checkpoint', 'publish', '--to', witness()], env());
    expect(again.stdout).toMatch(/^0 checkpoints written, 1 already there, 0 keys added/);
    expect(await readFile(path.join(witness(), 'keys.txt'), 'utf8')).toBe(`${key.verifierKey}\n`);
    // An examiner given the witness folder verifies with its keys.txt.
    const withKeysFile = await runCli(
      ['verify-bundle', file('decision.json'), '--key', path.join(witness(), 'keys.txt')],
      offline(),
    );
    expect(withKeysFile).toMatchObject({ code: 0, stdout: expect.stringMatching(/verified: 1 record\n$/) });

    // The tree grows twice: two more checkpoints, appended beside the first.
    for (const symbol of ['MORE', 'EVEN']) {
      await createTrade(gateway.orm.em.fork(), { executionCount: 1, symbol });
      await appendStatusChange(gateway.database.url, { table: 'positions', id: trade.position.id, to: 'closed' });
      await integrateAndSign(gateway.database.url, key);
    }
    const before = await checkpointFiles();
    const third = await runCli(['checkpoint', 'publish', '--to', witness()], env());
    expect(third.stdout).toMatch(/^2 checkpoints written \(tree sizes \d+…\d+\)/);
    const after = await checkpointFiles();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(3);

    // A new key signs from now on: its checkpoint and its verifier key are appended, the old key stays listed.
    const rotated = await createLogKey(folder, 'auditgraph-test-2027');
    await createTrade(gateway.orm.em.fork(), { executionCount: 1, symbol: 'ROTA' });
    await integrateAndSign(gateway.database.url, rotated);
    const fourth = await runCli(['checkpoint', 'publish', '--to', witness()], env());
    expect(fourth.stdout).toMatch(/^1 checkpoint written \(tree size \d+\), 3 already there, 1 key added/);
    expect(await readFile(path.join(witness(), 'keys.txt'), 'utf8')).toBe(
      `${key.verifierKey}\n${rotated.verifierKey}\n`,
    );
    const oldBundle = await runCli(
      ['verify-bundle', file('decision.json'), '--key', path.join(witness(), 'keys.txt')],
      offline(),
    );
    expect(oldBundle.code).toBe(0);
  });

  test('consistency proofs between every published pair verify, with the verifier, from the files alone', async () => {
    const keys = (await readFile(path.join(witness(), 'keys.txt'), 'utf8')).trim().split('\n').map(readVerifierKey);
    const published = await Promise.all(
      (await checkpointFiles()).map(async (name) => {
        const { text } = verifyNote(await readFile(path.join(witness(), name), 'utf8'), keys);
        return readCheckpoint(text);
      }),
    );
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      for (const older of published) {
        for (const newer of published.filter((checkpoint) => checkpoint.size >= older.size)) {
          const proof = await consistencyProof(pgHashStore(client), older.size, newer.size);
          expect(() =>
            verifyConsistency(BigInt(older.size), BigInt(newer.size), older.rootHash, newer.rootHash, proof),
          ).not.toThrow();
        }
      }
    } finally {
      await client.end();
    }
  });

  test('a witness file that differs from the database: exit 1, naming it, nothing overwritten', async () => {
    const [name] = await checkpointFiles();
    const original = await readFile(path.join(witness(), name!), 'utf8');
    await writeFile(path.join(witness(), name!), original.replace('time ', 'time  '));
    const result = await runCli(['checkpoint', 'publish', '--to', witness()], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`CONFLICT: ${path.join(witness(), name!)} differs from the database's checkpoints`);
    expect(await readFile(path.join(witness(), name!), 'utf8')).not.toBe(original);
  });
});

describe('a record changed behind the append-only triggers', () => {
  test('prove exits 1 naming it, and its bundle does not verify', async () => {
    const changed = await createTrade(gateway.orm.em.fork(), { executionCount: 1, symbol: 'TAMP' });
    await integrateAndSign(gateway.database.url, key);
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      // A superuser can switch the triggers off for a session: what the tree is for.
      await client.query('set session_replication_role = replica');
      await client.query(`update trade_decisions set quantity = 99 where id = $1`, [changed.decision.id]);
    } finally {
      await client.end();
    }
    const proved = await runCli(['prove', changed.decision.nodeId, '--out', file('tampered.json')], env());
    expect(proved.code).toBe(1);
    expect(proved.stderr).toContain(`CHANGED: trade_decisions ${changed.decision.id} no longer hashes to its leaf`);
    const verified = await runCli(['verify-bundle', file('tampered.json'), '--key', key.verifierKey], offline());
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(`FAILED: entry 0 (TradeDecision ${changed.decision.nodeId})`);
  });
});
