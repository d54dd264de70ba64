import fc from 'fast-check';
import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { bucketOf, groupRows, scaled } from './harness/aggregate-model';

/** Decisions written as the property's runs make them; each run narrows to its own by a decisionId prefix. */
type Decision = {
  decisionId: string;
  strategy: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  limitPrice: string | null;
  status: string;
  createdAt: string;
};

const STRATEGIES = ['Momentum', 'Congress', 'momentum'] as const;
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'] as const;
const STATUSES = ['pending', 'executed', 'failed', 'cancelled'] as const;
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata'] as const;
const KEYS = ['strategy', 'symbol', 'side', 'status', 'day', 'week', 'month'] as const;
const GRAPHQL_KEY = (key: string) => key.toUpperCase();

const decimal = (scale: number) =>
  fc.bigInt({ min: 1n, max: 10n ** 12n }).map((units) => {
    const text = units.toString().padStart(scale + 1, '0');
    return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  });
// Instants around the 2026 clock changes of London and New York, and anywhere in the year, to the microsecond.
const instant = fc
  .oneof(
    fc.integer({ min: Date.UTC(2026, 2, 7), max: Date.UTC(2026, 2, 31) }),
    fc.integer({ min: Date.UTC(2026, 9, 24), max: Date.UTC(2026, 10, 3) }),
    fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
  )
  .chain((ms) => fc.integer({ min: 0, max: 999 }).map((micros) => ({ ms, micros })))
  .map(({ ms, micros }) => `${new Date(ms).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`);
const decisionRow = fc.record({
  strategy: fc.constantFrom(...STRATEGIES),
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  quantity: decimal(8),
  limitPrice: fc.option(decimal(8), { nil: null }),
  status: fc.constantFrom(...STATUSES),
  changedTo: fc.option(fc.constantFrom(...STATUSES), { nil: null, freq: 3 }),
  createdAt: instant,
});

/** A where over what the model evaluates, with the model's own evaluation. */
type Condition = { where: Record<string, unknown>; holds: (row: Decision) => boolean };
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.subarray([...SYMBOLS], { minLength: 1 }).map((symbols) => ({
    where: { symbol: { in: symbols } },
    holds: (row: Decision) => symbols.includes(row.symbol as never),
  })),
  fc.constantFrom(...STATUSES).map((status) => ({
    where: { status: { eq: status } },
    holds: (row: Decision) => row.status === status,
  })),
  decimal(8).map((bound) => ({
    where: { quantity: { gte: bound } },
    holds: (row: Decision) => scaled(row.quantity, 8) >= scaled(bound, 8),
  })),
  fc.boolean().map((isNull) => ({
    where: { limitPrice: { isNull } },
    holds: (row: Decision) => (row.limitPrice === null) === isNull,
  })),
  instant.map((bound) => ({
    where: { createdAt: { lt: bound } },
    holds: (row: Decision) => row.createdAt < bound,
  })),
);
const where = fc.oneof(
  condition,
  fc.tuple(condition, condition).map(([a, b]) => ({
    where: { or: [a.where, b.where] },
    holds: (row: Decision) => a.holds(row) || b.holds(row),
  })),
  condition.map((a) => ({ where: { not: a.where }, holds: (row: Decision) => !a.holds(row) })),
);

describe('decisionsAggregate: groups equal an in-memory group-by of the same rows', () => {
  let gateway: TestGateway;
  let client: pg.Client;
  let run = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await gateway.close();
  });

  /** Writes a run's decisions (and the status changes that give some another current status). */
  async function write(rows: (typeof decisionRow extends fc.Arbitrary<infer R> ? R : never)[]): Promise<Decision[]> {
    run += 1;
    const written: Decision[] = [];
    for (const [index, row] of rows.entries()) {
      const decisionId = `run${run}-${index}`;
      const { rows: inserted } = await client.query(
        `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, limit_price, status, created_at)
         values ($1, $2, $3, $4, $5, 'limit', $6, $7, $8) returning id`,
        [decisionId, row.strategy, row.symbol, row.side, row.quantity, row.limitPrice, row.status, row.createdAt],
      );
      if (row.changedTo)
        await client.query(
          `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
           values ('TRADE', 'status_changed', jsonb_build_object('to', $1::text), 'trade_decisions', $2, 'test', now())`,
          [row.changedTo, inserted[0].id],
        );
      written.push({ ...row, decisionId, status: row.changedTo ?? row.status });
    }
    return written;
  }

  const AGGREGATE = /* GraphQL */ `
    query ($where: TradeDecisionWhere, $groupBy: [TradeDecisionGroupBy!], $timeZone: TimeZone) {
      decisionsAggregate(where: $where, groupBy: $groupBy, timeZone: $timeZone) {
        keys { strategy symbol side status day week month }
        count
        quantity { sum avg min max }
        notional { sum avg min max }
      }
    }
  `;

  it('for random rows, wheres, groupBy subsets and time zones: same groups, same order, exact decimals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(decisionRow, { minLength: 0, maxLength: 25 }),
        fc.array(where, { minLength: 1, maxLength: 3 }),
        fc.shuffledSubarray([...KEYS]),
        fc.constantFrom(...ZONES),
        async (rows, wheres, groupBy, zone) => {
          const decisions = await write(rows);
          for (const { where: tree, holds } of wheres) {
            const narrowed = { and: [{ decisionId: { startsWith: `run${run}-` } }, tree] };
            const result = await gateway.execute(AGGREGATE, {
              where: narrowed,
              groupBy: groupBy.map(GRAPHQL_KEY),
              timeZone: zone,
            });
            expect(result.errors).toBeUndefined();
            const expected = groupRows(
              decisions.filter(holds),
              {
                strategy: (row) => row.strategy,
                symbol: (row) => row.symbol,
                side: (row) => row.side,
                status: (row) => row.status,
                day: (row) => bucketOf(row.createdAt, zone, 'day'),
                week: (row) => bucketOf(row.createdAt, zone, 'week'),
                month: (row) => bucketOf(row.createdAt, zone, 'month'),
              },
              groupBy,
              {
                quantity: { of: (row) => scaled(row.quantity, 8), scale: 8 },
                notional: {
                  of: (row) => (row.limitPrice === null ? null : scaled(row.quantity, 8) * scaled(row.limitPrice, 8)),
                  scale: 16,
                },
              },
            );
            const allKeys = (keys: Record<string, unknown>) =>
              Object.fromEntries(KEYS.map((key) => [key, keys[key] ?? null]));
            expect(result.data!.decisionsAggregate).toEqual(
              expected.map((group) => ({ ...group, keys: allKeys(group.keys) })),
            );
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});
