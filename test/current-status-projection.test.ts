import fc from 'fast-check';
import pg from 'pg';
import { integrateBatch } from '../src/integrator/integrate-batch';
import { currentStatusIn } from '../src/queries/current-status';
import { stillPendingSql } from '../src/queries/integrity-predicates';
import { createTestDatabase, type TestDatabase } from './harness/database';

/** `?` placeholders (the query builder's) as pg's `$n`. */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

const STATUSES = ['pending', 'executed', 'cancelled', 'rejected'] as const;
const WRITERS = 3;

/** A step: a writer's insert, status change, commit or rollback (autocommit outside a transaction), or a batch. */
type Step =
  | { kind: 'begin'; writer: number }
  | { kind: 'insert'; writer: number }
  | { kind: 'change'; writer: number; record: number; to: (typeof STATUSES)[number] }
  | { kind: 'commit' | 'rollback'; writer: number }
  | { kind: 'integrate' };

const writer = fc.integer({ min: 0, max: WRITERS - 1 });
// Weighted so that changes in open transactions, commits and batches often meet on one record.
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('begin' as const), writer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), writer }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      writer,
      record: fc.nat({ max: 1000 }),
      to: fc.constantFrom(...STATUSES),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), writer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rollback' as const), writer }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('integrate' as const) }) },
);

/**
 * current_statuses plus what was committed since its snapshot answers a
 * status filter exactly as the derivation from the events does, at every
 * step: with the integrator never run, behind, or current; with a change
 * committed after a later-numbered one (concurrent writers), and with
 * rolled-back writes.
 */
describe('current status: the projection and the events agree at every instant', () => {
  let database: TestDatabase;
  let writers: pg.Client[];
  let integrator: pg.Client;
  let reader: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const connect = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      return client;
    };
    writers = await Promise.all(Array.from({ length: WRITERS }, connect));
    integrator = await connect();
    reader = await connect();
  });
  afterAll(async () => {
    await Promise.all([...writers, integrator, reader].map((client) => client.end()));
    await database.drop();
  });

  const byEvents = (status: string) =>
    reader.query<{ id: string }>(
      `select n.id::text as id from trade_decisions n
        where coalesce((select s.event_data ->> 'to' from audit_events s
                         where s.event = 'status_changed' and s.subject_table = 'trade_decisions' and s.subject_id = n.id
                         order by s.seq desc limit 1), n.status) = $1
        order by n.id`,
      [status],
    );
  const byProjection = (status: string) => {
    const condition = currentStatusIn('trade_decisions', 'n', [status]);
    return reader.query<{ id: string }>(
      numbered(`select n.id::text as id from trade_decisions n where ${condition.sql} order by n.id`),
      condition.params,
    );
  };
  const countByProjection = async (status: string) => {
    const condition = currentStatusIn('trade_decisions', 'n', [status]);
    const { rows } = await reader.query<{ count: string }>(
      numbered(`select count(*)::text as count from trade_decisions n where ${condition.sql}`),
      condition.params,
    );
    return Number(rows[0]!.count);
  };

  /** Written pending and no status event about it since, by the events and through the projection. */
  const stillPending = async () => {
    const { rows: expected } = await reader.query<{ id: string }>(
      `select n.id::text as id from trade_decisions n
        where n.status = 'pending' and not exists (select 1 from audit_events s
          where s.event = 'status_changed' and s.subject_table = 'trade_decisions' and s.subject_id = n.id)
        order by n.id`,
    );
    const { rows: projected } = await reader.query<{ id: string }>(
      `select n.id::text as id from trade_decisions n where ${stillPendingSql('trade_decisions', 'n')} order by n.id`,
    );
    return { expected: expected.map(({ id }) => id), projected: projected.map(({ id }) => id) };
  };

  it('for random interleavings of writers and batches', async () => {
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const open = new Set<number>();
        // Ids a writer may refer to: committed ones, and its own uncommitted ones.
        const committed: string[] = [];
        const own: string[][] = Array.from({ length: WRITERS }, () => []);
        try {
          for (const current of steps) {
            if (current.kind === 'integrate') await integrateBatch(integrator);
            else {
              const client = writers[current.writer]!;
              const mine = own[current.writer]!;
              if (current.kind === 'begin' && !open.has(current.writer)) {
                await client.query('begin');
                open.add(current.writer);
              } else if (current.kind === 'insert') {
                const { rows } = await client.query<{ id: string }>(
                  `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status)
                   values ($1, 'S', 'NVDA', 'buy', 1, 'market', 'pending') returning id::text as id`,
                  [`p${process.pid}-${++serial}`],
                );
                if (open.has(current.writer)) mine.push(rows[0]!.id);
                else committed.push(rows[0]!.id);
              } else if (current.kind === 'change') {
                const known = [...committed, ...mine];
                if (known.length > 0)
                  await client.query(
                    `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
                     values ('TRADE', 'status_changed', $1, 'trade_decisions', $2, 'test', now())`,
                    // Among the latest few, so that concurrent changes meet on one record.
                    [
                      { from: null, to: current.to },
                      known[known.length - 1 - (current.record % Math.min(2, known.length))],
                    ],
                  );
              } else if ((current.kind === 'commit' || current.kind === 'rollback') && open.has(current.writer)) {
                await client.query(current.kind);
                if (current.kind === 'commit') committed.push(...mine);
                mine.length = 0;
                open.delete(current.writer);
              }
            }
            for (const status of STATUSES) {
              const expected = (await byEvents(status)).rows.map(({ id }) => id);
              expect((await byProjection(status)).rows.map(({ id }) => id)).toEqual(expected);
              expect(await countByProjection(status)).toBe(expected.length);
            }
            const pending = await stillPending();
            expect(pending.projected).toEqual(pending.expected);
          }
        } finally {
          for (const at of open) await writers[at]!.query('rollback');
        }
      }),
      {
        numRuns: 60,
        examples: [
          // A change numbered before another, committed after it, each integrated: the later number stays.
          [
            [
              { kind: 'insert', writer: 0 },
              { kind: 'begin', writer: 1 },
              { kind: 'change', writer: 1, record: 0, to: 'cancelled' },
              { kind: 'change', writer: 2, record: 0, to: 'executed' },
              { kind: 'integrate' },
              { kind: 'commit', writer: 1 },
              { kind: 'integrate' },
            ],
          ],
        ],
      },
    );
  }, 300_000);
});
