import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { currentStatusSql } from '../src/queries/current-status';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { asSuperuser, cliEnv, cloneDatabase, type DrillBase, drillBase } from './harness/tree-drills';

/** One value from `sql`. */
const one = (url: string, sql: string): Promise<string> =>
  withClient(url, async (client) => String(Object.values((await client.query(sql)).rows[0] as object)[0]));

/**
 * The hostile superuser's drills against the tree, each on a copy of one
 * seeded, integrated and checkpointed record, each detected through the CLI
 * with exit 1 and named — or, where the default run's guarantee stops (a
 * record verified by an earlier run changed in place), by --full.
 */
describe('auditgraph verify: the record against its Merkle tree', () => {
  let base: DrillBase;
  let template: TestDatabase;
  const drills: TestDatabase[] = [];
  const witness = mkdtempSync(path.join(tmpdir(), 'auditgraph-witness-'));

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
    rmSync(witness, { recursive: true, force: true });
  });

  it('finds the untouched record intact, default and --full, and records each run', async () => {
    const url = await drill();
    const first = await verify(url);
    expect(first.stdout).toMatch(
      new RegExp(`^intact: tree of ${base.size} leaves consistent with 2 checkpoints, ${base.size} leaves re-hashed`),
    );
    expect(first.code).toBe(0);
    // The next default run re-encodes only what was integrated since.
    expect((await verify(url)).stdout).toMatch(/^intact: .* 0 leaves re-hashed/);
    const full = await verify(url, '--full', '--format', 'json');
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({
      intact: true,
      full: true,
      treeSize: String(base.size),
      checkpoints: 2,
      leavesRehashed: String(base.size),
      breaks: [],
    });
    expect(await one(url, `select string_agg("full"::text, ',' order by id) from chain_verifications`)).toBe(
      'false,false,true',
    );
  });

  it('names the newest events deleted behind the append-only trigger', async () => {
    const url = await drill();
    const seqs = (
      await withClient(url, (c) => c.query(`select seq::text from audit_events order by seq desc limit 3`))
    ).rows.map((row) => row.seq as string);
    await asSuperuser(url, (client) => client.query(`delete from audit_events where seq = any($1::bigint[])`, [seqs]));
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^first break: audit_events: \d+ leaves in the tree for \d+ integrated records$/m);
    for (const seq of seqs)
      expect(result.stdout).toMatch(new RegExp(`also: audit_events ${seq} \\(leaf #\\d+\\) is gone$`, 'm'));
  });

  it('names a status change deleted so that the decision reads pending again; with its leaf, --full names the hole', async () => {
    const url = await drill();
    // A decision written pending whose one status change moved it on.
    const [seq, decision] = (
      await one(
        url,
        `select e.seq::text || ' ' || e.subject_id::text from audit_events e join trade_decisions d on d.id = e.subject_id
          where e.event = 'status_changed' and e.subject_table = 'trade_decisions' and d.status = 'pending'
            and (select count(*) from audit_events o where o.event = 'status_changed'
                  and o.subject_table = 'trade_decisions' and o.subject_id = d.id) = 1
          order by e.seq limit 1`,
      )
    ).split(' ');
    const status = () =>
      one(url, `select ${currentStatusSql('trade_decisions', 't')} from trade_decisions t where t.id = ${decision}`);
    expect(await status()).not.toBe('pending');
    await asSuperuser(url, (client) => client.query(`delete from audit_events where seq = $1`, [seq]));
    expect(await status()).toBe('pending');
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`audit_events ${seq} \\(leaf #\\d+\\) is gone$`, 'm'));

    // A superuser who deletes the leaf too leaves the counts equal: the stored nodes still cover it, and --full finds the hole.
    const other = await drill();
    const leaf = await one(
      other,
      `select leaf_index from merkle_leaves where source = 'audit_events' and record_key = '${seq}'`,
    );
    await asSuperuser(other, async (client) => {
      await client.query(`delete from audit_events where seq = $1`, [seq]);
      await client.query(`delete from merkle_leaves where leaf_index = $1`, [leaf]);
    });
    const full = await verify(other, '--full');
    expect(full.code).toBe(1);
    expect(full.stdout).toMatch(new RegExp(`leaves #${leaf} to #${leaf} are missing from merkle_leaves`));
  });

  it('names a row changed in place: the first run re-encodes everything, later ones need --full', async () => {
    const url = await drill();
    expect((await verify(url)).code).toBe(0);
    const id = await one(url, `select min(id)::text from positions`);
    await asSuperuser(url, (client) =>
      client.query(`update positions set quantity = quantity + 1 where id = $1`, [id]),
    );
    // The documented limit of the default run: a record verified before is not read again.
    expect((await verify(url)).code).toBe(0);
    const full = await verify(url, '--full');
    expect(full.code).toBe(1);
    expect(full.stdout).toMatch(
      new RegExp(
        `^first break: positions ${id} was changed after it was integrated \\(leaf #\\d+ no longer matches it\\)$`,
        'm',
      ),
    );
  });

  it('names a leaf hash changed: its record no longer matches it, nor its parent node', async () => {
    const url = await drill();
    await asSuperuser(url, (client) =>
      client.query(`update merkle_leaves set leaf_hash = sha256('forged') where leaf_index = 5`),
    );
    const full = await verify(url, '--full');
    expect(full.code).toBe(1);
    expect(full.stdout).toMatch(/ \(leaf #5 no longer matches it\)$/m);
    expect(full.stdout).toMatch(/node 1\/2 \(leaves 4 to 5\) is not the hash of its leaves$/m);
  });

  it('names a stored node changed (the root no longer made), and leaves and nodes stored beyond the tree', async () => {
    const url = await drill();
    // The highest node of the tree: part of every root and proof.
    const top = await one(
      url,
      `select level || '/' || node_index from merkle_nodes order by level desc, node_index limit 1`,
    );
    const [level, index] = top.split('/');
    await asSuperuser(url, async (client) => {
      await client.query(`update merkle_nodes set hash = sha256('forged') where level = $1 and node_index = $2`, [
        level,
        index,
      ]);
      await client.query(
        `insert into merkle_leaves (leaf_index, source, record_key, leaf_hash) values ($1, 'audit_events', 'x', sha256('x'))`,
        [base.size + 1],
      );
    });
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^first break: the stored nodes make root \S+ at size \d+, not merkle_integration's \S+$/m,
    );
    expect(result.stdout).toMatch(
      new RegExp(`leaf #${base.size + 1} is stored beyond the tree of ${base.size} leaves`),
    );
    // Its key is no event number: named as such, the lookup of the others unharmed.
    expect(result.stdout).toMatch(
      new RegExp(`leaf #${base.size + 1} names audit_events "x", which no record of it can be`),
    );
    expect(result.stdout).toMatch(/rewritten\/forked: the tree of \d+ leaves does not extend the checkpoint of size/);
    const full = await verify(url, '--full');
    expect(full.stdout).toMatch(
      new RegExp(`node ${level}/${index} \\(leaves \\d+ to \\d+\\) is not the hash of its leaves`),
    );
  });

  it('names a row smuggled in with an integrated transaction id, so the integrator never takes it', async () => {
    const url = await drill();
    const id = await one(
      url,
      `insert into positions (account, symbol, quantity, status, opened_at, recorded_xid)
       values ('PA-9999', 'ZZZ', 1, 'open', now(), (select min(recorded_xid) from positions)) returning id::text`,
    );
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^first break: positions: \d+ leaves in the tree for \d+ integrated records$/m);
    expect(result.stdout).toMatch(
      new RegExp(`also: positions ${id} is not in the tree, though the integrator has taken in its transaction$`, 'm'),
    );
  });

  it('names a committed record the integrator has not taken in past the bound, until it has', async () => {
    const url = await drill();
    await withClient(url, (client) =>
      client.query(
        `insert into audit_events (log_type, event, actor, occurred_at) values ('SYSTEM', 'late', 'drill', now())`,
      ),
    );
    const started = Date.now();
    const result = await verify(url);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(result.stdout).toMatch(
      /^first break: 1 audit_events rows \(1 transactions from xid \d+\), committed before \S+Z, are still not in the tree 1 s later$/m,
    );
    expect((await runCli(['integrate'], cliEnv(url))).code).toBe(0);
    expect((await verify(url)).code).toBe(0);
  });
});
