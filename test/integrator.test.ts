import fc from 'fast-check';
import pg from 'pg';
import { integrateAll } from '../src/integrator/integrate-all';
import { INTEGRATOR_LOCK } from '../src/database/advisory-locks';
import { BATCH_STATE, CANDIDATES, integrateBatch } from '../src/integrator/integrate-batch';
import { openIntegratorConnection } from '../src/integrator/integrator-connection';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';
import { checkedStoredTree } from './harness/merkle-check';
import { oneBatchLeafOrder, writeRecords } from './harness/record-writers';

let database: TestDatabase;
const clients: pg.Client[] = [];

/** A writer's session of its own, closed after the file. */
async function session(url = database.url): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** A look at the database on a connection of its own, closed after: a property's many runs hold no sessions. */
function inspect<T>(work: (client: pg.Client) => Promise<T>, url = database.url): Promise<T> {
  return withClient(url, work);
}

let fresh: TestDatabase;

beforeAll(async () => {
  [database, fresh] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  await Promise.all([database.drop(), fresh.drop()]);
});

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

describe('committed rows become leaves exactly once, in commit order of batches', () => {
  test('concurrent writers: one held open while others commit; a long transaction is integrated after its commit', async () => {
    const [long, quick, later, rolledBack] = await Promise.all([session(), session(), session(), session()]);
    await long.query('begin');
    const longRows = await writeRecords(long, 3);
    const quickRows = await writeRecords(quick, 2);
    await rolledBack.query('begin');
    const neverCommitted = await writeRecords(rolledBack, 4);

    await integrateAll(database.url);
    const first = await inspect(checkedStoredTree);
    expect(sorted(first.leaves)).toEqual(sorted(quickRows));

    const laterRows = await writeRecords(later, 1);
    await rolledBack.query('rollback');
    await long.query('commit');
    await integrateAll(database.url);
    const second = await inspect(checkedStoredTree);
    // The tree only grows: the first batch's leaves stay where they were.
    expect(second.leaves.slice(0, first.size)).toEqual(first.leaves);
    expect(sorted(second.leaves.slice(first.size))).toEqual(sorted([...longRows, ...laterRows]));
    for (const leaf of neverCommitted) expect(second.leaves).not.toContain(leaf);

    // Nothing new: another run adds nothing and changes nothing.
    const again = await integrateAll(database.url);
    expect(again).toMatchObject({ leaves: 0, size: second.size });
    expect(again.root).toEqual(second.root);
  });

  test("an open transaction's rows are outside every batch's range until it commits, whatever else commits", async () => {
    const [importing, other, integratorLike] = await Promise.all([session(), session(), session()]);
    await integrateAll(database.url);
    await importing.query('begin');
    await writeRecords(importing, 500);
    // What the next batch's candidate range would take of the open transaction's rows: only that transaction
    // sees them, so it counts them, with the bounds a batch would compute now.
    const rangeTakes = async () => {
      const {
        rows: [bounds],
      } = await integratorLike.query<{ xmax: string; finished: string[]; upto: string }>(BATCH_STATE, [
        INTEGRATOR_LOCK,
      ]);
      const { rows } = await importing.query<{ n: string }>(
        `select count(*)::text as n from trade_decisions t where ${CANDIDATES}`,
        [bounds!.xmax, bounds!.finished, bounds!.upto],
      );
      return Number(rows[0]!.n);
    };
    // Another commit, of no record, after the open transaction began: snapshots from here on list it as in
    // progress below their xmax. A batch then finds nothing new, and still moves its state past it.
    await other.query('begin');
    await other.query('select pg_current_xact_id()');
    await other.query('commit');
    await integrateAll(database.url);
    expect(await rangeTakes()).toBe(0);
    await integrateAll(database.url);
    expect(await rangeTakes()).toBe(0);
    const size = (await inspect(checkedStoredTree)).size;
    await importing.query('commit');
    await integrateAll(database.url);
    expect((await inspect(checkedStoredTree)).size).toBe(size + 502);
  });

  test('two integrators at once (and writers meanwhile) never integrate a row twice', async () => {
    const writer = await session();
    const written: string[] = [];
    for (let transaction = 0; transaction < 6; transaction++) written.push(...(await writeRecords(writer, 2_000)));
    const before = (await inspect(checkedStoredTree)).leaves;
    const writing = (async () => {
      const other = await session();
      for (let transaction = 0; transaction < 20; transaction++) written.push(...(await writeRecords(other, 50)));
    })();
    await Promise.all([integrateAll(database.url), integrateAll(database.url), writing]);
    await integrateAll(database.url);
    const tree = await inspect(checkedStoredTree);
    expect(tree.leaves.length).toBe(new Set(tree.leaves).size);
    expect(sorted(tree.leaves.slice(before.length))).toEqual(sorted(written));
  });
});

describe('crash safety', () => {
  test('the integrator backend terminated mid-batch: nothing of the batch stays, and a resumed run makes the same tree', async () => {
    await integrateAll(database.url);
    const start = await inspect(checkedStoredTree);
    const startLeaves = new Set(start.leaves);
    const writer = await session();
    const written: string[] = [];
    for (let transaction = 0; transaction < 3; transaction++) written.push(...(await writeRecords(writer, 3_000)));

    const connection = await openIntegratorConnection(database.url);
    connection.on('error', () => undefined);
    const { rows } = await connection.query<{ pid: number }>('select pg_backend_pid() as pid');
    let chunks = 0;
    await expect(
      integrateBatch(connection, {
        chunkRows: 1_000,
        onChunk: async () => {
          if (++chunks === 2)
            await inspect((client) => client.query('select pg_terminate_backend($1)', [rows[0]!.pid]));
        },
      }),
    ).rejects.toThrow();
    await connection.end().catch(() => undefined);
    expect(chunks).toBe(2);
    const interrupted = await inspect(checkedStoredTree);
    expect(interrupted.leaves).toEqual(start.leaves);

    await integrateAll(database.url);
    const resumed = await inspect(checkedStoredTree);
    // Everything was committed before: an uninterrupted run is one batch of them in leaf order.
    const all = await inspect(oneBatchLeafOrder);
    expect(resumed.leaves.slice(start.size)).toEqual(all.filter((leaf) => !startLeaves.has(leaf)));
    expect(sorted(resumed.leaves.slice(start.size))).toEqual(sorted(written));
  });
});

const steps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      writer: fc.integer({ min: 0, max: 2 }),
      rows: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({
      kind: fc.constantFrom('commit' as const, 'rollback' as const),
      writer: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({ kind: fc.constant('integrate' as const) }),
  ),
  { maxLength: 25 },
);

describe('for any interleaving of writer transactions and integrator runs', () => {
  test('every committed row is a leaf exactly once, and no rolled-back row ever is', async () => {
    // A database of its own: each integration re-checks the whole tree.
    const url = fresh.url;
    const writers = await Promise.all([session(url), session(url), session(url)]);
    const committed = new Set((await inspect(checkedStoredTree, url)).leaves);
    const rolledBack = new Set<string>();
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const open: (string[] | null)[] = [null, null, null];
        const finish = async (writer: number, how: 'commit' | 'rollback') => {
          const rows = open[writer];
          if (!rows) return;
          await writers[writer]!.query(how);
          for (const row of rows) (how === 'commit' ? committed : rolledBack).add(row);
          open[writer] = null;
        };
        for (const step of plan) {
          if (step.kind === 'integrate') {
            await integrateAll(url);
            const { leaves } = await inspect(checkedStoredTree, url);
            // Exactly the rows committed so far: none held open, none rolled back.
            expect(sorted(leaves)).toEqual(sorted(committed));
          } else if (step.kind === 'write') {
            if (!open[step.writer]) {
              await writers[step.writer]!.query('begin');
              open[step.writer] = [];
            }
            open[step.writer]!.push(...(await writeRecords(writers[step.writer]!, step.rows)));
          } else await finish(step.writer, step.kind);
        }
        for (let writer = 0; writer < 3; writer++) await finish(writer, writer % 2 === 0 ? 'commit' : 'rollback');
        await integrateAll(url);
        const { leaves } = await inspect(checkedStoredTree, url);
        expect(leaves.length).toBe(new Set(leaves).size);
        expect(sorted(leaves)).toEqual(sorted(committed));
        for (const row of rolledBack) expect(committed.has(row)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
