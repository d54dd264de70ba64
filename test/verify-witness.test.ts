import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { rootAt } from '../src/merkle/proofs';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import {
  asSuperuser,
  cliEnv,
  cloneDatabase,
  type DrillBase,
  drillBase,
  newSigner,
  signTree,
} from './harness/tree-drills';

/**
 * What only a copy of the checkpoints kept outside the database can show: a
 * superuser who cuts the tree's tail, or rebuilds the whole tree over a
 * changed record, leaves a database that agrees with itself. `verify
 * --witness DIR` proves the tree against the published checkpoints.
 */
describe('auditgraph verify against a witness folder', () => {
  let base: DrillBase;
  let template: TestDatabase;
  const drills: TestDatabase[] = [];
  const folders: string[] = [];
  const witness = mkdtempSync(path.join(tmpdir(), 'auditgraph-witness-'));
  folders.push(witness);

  const drill = async (): Promise<string> => {
    const copy = await cloneDatabase(template);
    drills.push(copy);
    return copy.url;
  };
  const verify = (url: string, ...args: string[]) => runCli(['verify', ...args], cliEnv(url));

  beforeAll(async () => {
    template = await createTestDatabase();
    base = await drillBase(template, runCli, witness);
  }, 120_000);
  afterAll(async () => {
    for (const copy of drills) await copy.drop();
    await template.drop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('tail truncation: the newest record, its leaf, the nodes and checkpoints above it deleted — found only with the witness', async () => {
    const url = await drill();
    const last = base.size - 1;
    await asSuperuser(url, async (client) => {
      await client.query(`delete from audit_events where seq = $1`, [base.lastSeq]);
      await client.query(`delete from merkle_leaves where leaf_index >= $1`, [last]);
      await client.query(`delete from merkle_nodes where (node_index + 1) * (1::bigint << level) > $1`, [last]);
      await client.query(`delete from merkle_checkpoints where tree_size > $1`, [last]);
      const root = await rootAt(pgHashStore(client), last);
      await client.query(`update merkle_integration set tree_size = $1, root = $2`, [last, root]);
    });
    // The database agrees with itself: default and full runs find nothing.
    const blind = await verify(url, '--full');
    expect(blind.stdout).toMatch(
      new RegExp(`^intact \\(full\\): tree of ${last} leaves consistent with 1 checkpoints`),
    );
    expect(blind.code).toBe(0);

    const witnessed = await verify(url, '--witness', witness);
    expect(witnessed.code).toBe(1);
    expect(witnessed.stdout).toMatch(
      new RegExp(
        `^first break: truncated: the checkpoint of size ${base.size} at \\S+Z \\(${witness}/${base.size}.checkpoint\\) ` +
          `has ${base.size} leaves, the tree only ${last}$`,
        'm',
      ),
    );
    // The same folder from the configuration, as cron runs it.
    const configured = await runCli(['verify'], { ...cliEnv(url), AUDITGRAPH_WITNESS_DIR: witness });
    expect(configured.code).toBe(1);
    expect(configured.stdout).toMatch(/^first break: truncated: /m);
  });

  it('a history rewritten consistently (a changed row, a new tree, checkpoints signed by a key of the superuser) is a fork against the witness', async () => {
    const url = await drill();
    const id = await withClient(url, async (client) =>
      String((await client.query(`select min(id) as id from positions`)).rows[0].id),
    );
    await asSuperuser(url, async (client) => {
      await client.query(`update positions set quantity = quantity + 1 where id = $1`, [id]);
      for (const table of [
        'merkle_leaves',
        'merkle_nodes',
        'merkle_checkpoints',
        'checkpoint_keys',
        'chain_verifications',
      ])
        await client.query(`delete from ${table}`);
      await client.query(`update merkle_integration set tree_size = 0, root = sha256(''), snapshot = '1:1:'`);
    });
    expect((await runCli(['integrate'], cliEnv(url))).code).toBe(0);
    await withClient(url, (client) => signTree(client, newSigner('auditgraph-test')));

    const blind = await verify(url, '--full');
    expect(blind.stdout).toMatch(
      new RegExp(`^intact \\(full\\): tree of ${base.size} leaves consistent with 1 checkpoints`),
    );
    expect(blind.code).toBe(0);

    const witnessed = await verify(url, '--witness', witness);
    expect(witnessed.code).toBe(1);
    // The database's checkpoint is signed by a key the witness does not know; the tree forks from every published one.
    expect(witnessed.stdout).toMatch(
      new RegExp(
        `^first break: the checkpoint of size ${base.size} in merkle_checkpoints: not a checkpoint signed by a trusted key: `,
        'm',
      ),
    );
    for (const file of [`${base.size}.checkpoint`])
      expect(witnessed.stdout).toMatch(
        new RegExp(
          `also: rewritten/forked: the tree of ${base.size} leaves does not extend the checkpoint of size ${base.size} at \\S+ \\(${witness}/${file}\\)`,
          'm',
        ),
      );
    expect(witnessed.stdout).toMatch(
      /also: rewritten\/forked: the tree of \d+ leaves does not extend the checkpoint of size \d+ at /m,
    );
    expect(witnessed.stdout.match(/rewritten\/forked/g)).toHaveLength(2);
  });

  it('trusts --key over checkpoint_keys, and refuses a forged witness checkpoint by name', async () => {
    const url = await drill();
    // The legitimate key given by hand: every checkpoint verifies.
    expect((await verify(url, '--key', base.signer.verifierKey)).code).toBe(0);
    // Another key given: the database's checkpoints are not signed by it.
    const stranger = newSigner('stranger');
    const refused = await verify(url, '--key', stranger.verifierKey);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^first break: the checkpoint of size \d+ in merkle_checkpoints: not a checkpoint signed by a trusted key: /m,
    );

    // A witness copy altered: one byte of its root changed.
    const forged = mkdtempSync(path.join(tmpdir(), 'auditgraph-forged-'));
    folders.push(forged);
    const original = readFileSync(path.join(witness, `${base.size}.checkpoint`), 'utf8');
    const lines = original.split('\n');
    lines[2] = Buffer.from(
      Buffer.from(lines[2]!, 'base64').map((byte, index) => (index === 0 ? byte ^ 1 : byte)),
    ).toString('base64');
    writeFileSync(path.join(forged, `${base.size}.checkpoint`), lines.join('\n'));
    writeFileSync(path.join(forged, 'keys.txt'), `${base.signer.verifierKey}\n`);
    const result = await verify(url, '--witness', forged);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^first break: ${forged}/${base.size}.checkpoint: not a checkpoint signed by a trusted key: invalid signature`,
        'm',
      ),
    );
  });

  it('cannot run (exit 2) with a witness folder that is not there or a key that is not one', async () => {
    const url = await drill();
    const missing = await verify(url, '--witness', path.join(witness, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the witness folder \S+nowhere does not exist/);
    const badKey = await verify(url, '--key', 'not-a-key');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/--key not-a-key: not a verifier key/);
  });
});
