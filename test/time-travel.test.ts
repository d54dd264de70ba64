import fc from 'fast-check';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { toGlobalId } from '../src/graphql/global-id';
import { createTrade } from './harness/fixtures';

/** Exact decimals as integers of 10^-8, the record's scale; the reference never touches a float. */
const decimal = (units: bigint) => {
  const digits = (units < 0n ? -units : units).toString().padStart(9, '0');
  return `${units < 0n ? '-' : ''}${digits.slice(0, -8)}.${digits.slice(-8)}`;
};
/** Instants a few microseconds apart, so that events and questions often fall on the same microsecond. */
const instant = (micros: number) => `2026-10-01T14:00:00.${String(micros).padStart(6, '0')}Z`;

type Fill = { buy: boolean; units: bigint; priceUnits: bigint; at: number };
type Change = { subject: 'position' | number; to: string; at: number };
type History = { openedAt: number; decisionsAt: number[]; fills: Fill[]; changes: Change[]; asks: number[] };

/** A position's fills in time order, never through zero (one lot), each by its own decision. */
const histories = fc
  .record({
    openedAt: fc.integer({ min: 0, max: 40 }),
    steps: fc.array(
      fc.record({
        buy: fc.boolean(),
        units: fc.bigInt({ min: 1n, max: 5n * 100_000_000n }),
        priceUnits: fc.bigInt({ min: 1n, max: 900n * 100_000_000n }),
        gap: fc.integer({ min: 0, max: 6 }),
        decidedBefore: fc.integer({ min: 0, max: 6 }),
      }),
      { maxLength: 6 },
    ),
    changes: fc.array(
      fc.record({
        subject: fc.integer({ min: -1, max: 5 }),
        to: fc.constantFrom('executed', 'failed', 'cancelled'),
        at: fc.integer({ min: 0, max: 90 }),
      }),
      { maxLength: 6 },
    ),
    asks: fc.array(fc.integer({ min: 0, max: 95 }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ openedAt, steps, changes, asks }): History => {
    const fills: Fill[] = [];
    const decisionsAt: number[] = [];
    let quantity = 0n;
    let at = openedAt;
    for (const step of steps) {
      if (fills.length > 0 && quantity === 0n) break;
      // The first fill opens the lot at the position's opening; a reduction never goes past zero.
      const buy = fills.length === 0 ? step.buy : step.buy === quantity > 0n;
      const units = buy === quantity > 0n || quantity === 0n ? step.units : minBig(step.units, absBig(quantity));
      fills.push({ buy, units, priceUnits: step.priceUnits, at });
      decisionsAt.push(Math.max(0, at - step.decidedBefore));
      quantity += buy ? units : -units;
      at += step.gap;
    }
    const subjects = fills.length;
    return {
      openedAt,
      decisionsAt,
      fills,
      changes: changes
        .filter(({ subject }) => subject < subjects)
        .map(({ subject, to, at: changedAt }) =>
          subject < 0 ? { subject: 'position', to: 'closed', at: changedAt } : { subject, to, at: changedAt },
        ),
      asks,
    };
  });
const absBig = (value: bigint) => (value < 0n ? -value : value);
const minBig = (a: bigint, b: bigint) => (a < b ? a : b);

/** The latest change appended about `subject` among those that had occurred by `at`. */
const latestChange = (changes: Change[], subject: Change['subject'], at: number) =>
  changes.filter((change) => change.subject === subject && change.at <= at).at(-1)?.to;

/** The position and its decisions as they stood at `at`, replayed in memory. */
function replay(history: History, at: number) {
  const decisions = history.decisionsAt.map((created, index) =>
    created <= at ? (latestChange(history.changes, index, at) ?? 'pending') : null,
  );
  if (history.openedAt > at) return { position: null, decisions };
  let quantity: bigint | null = null;
  let avgCost = 0n;
  let closedAt: string | null = null;
  for (const fill of history.fills.filter((candidate) => candidate.at <= at)) {
    const signed = fill.buy ? fill.units : -fill.units;
    if (quantity === null) [quantity, avgCost] = [signed, fill.priceUnits];
    else if (quantity > 0n === signed > 0n) {
      const cost = absBig(quantity * avgCost + signed * fill.priceUnits);
      const total = absBig(quantity + signed);
      avgCost = (2n * cost + total) / (2n * total);
      quantity += signed;
    } else quantity += signed;
    closedAt = quantity === 0n ? instant(fill.at) : null;
  }
  const written = { quantity: '1.00000000', avgCost: '1.00000000' };
  const status =
    latestChange(history.changes, 'position', at) ?? (quantity === null ? 'open' : quantity === 0n ? 'closed' : 'open');
  return {
    position: {
      quantity: quantity === null ? written.quantity : decimal(quantity),
      avgCost: quantity === null ? written.avgCost : decimal(avgCost),
      status,
      closedAt,
    },
    decisions,
  };
}

/** Writes one history as a producer would have: rows as first written, then status changes appended in order. */
async function writeHistory(
  url: string,
  history: History,
  tag: string,
): Promise<{ position: string; decisions: string[] }> {
  return withClient(url, async (client) => {
    await client.query('begin');
    const {
      rows: [position],
    } = await client.query<{ id: string }>(
      `insert into positions (account, symbol, quantity, avg_cost, status, opened_at)
       values ($1, 'TT', 1, 1, 'open', $2) returning id::text as id`,
      [`acct-${tag}`, instant(history.openedAt)],
    );
    const decisions: string[] = [];
    for (const [index, fill] of history.fills.entries()) {
      const {
        rows: [decision],
      } = await client.query<{ id: string }>(
        `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
         values ($1, 'TimeTravel', 'TT', $2, $3, 'market', 'pending', $4) returning id::text as id`,
        [`dec-${tag}-${index}`, fill.buy ? 'buy' : 'sell', decimal(fill.units), instant(history.decisionsAt[index]!)],
      );
      decisions.push(decision!.id);
      await client.query(
        `insert into trade_executions (execution_id, trade_decision_id, position_id, status, filled_quantity, fill_price,
                                       submitted_at, filled_at, created_at)
         values ($1, $2, $3, 'filled', $4, $5, $6, $6, $6)`,
        [
          `exe-${tag}-${index}`,
          decision!.id,
          position!.id,
          decimal(fill.units),
          decimal(fill.priceUnits),
          instant(fill.at),
        ],
      );
    }
    for (const change of history.changes) {
      const [table, id] =
        change.subject === 'position' ? ['positions', position!.id] : ['trade_decisions', decisions[change.subject]!];
      await client.query(
        `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
         values ('TRADE', 'status_changed', $1, $2, $3, 'time-travel-test', $4)`,
        [{ to: change.to }, table, id, instant(change.at)],
      );
    }
    await client.query('commit');
    return { position: position!.id, decisions };
  });
}

const asOfQuery = (asks: number[]) => `query ($id: ID!, $decisions: [ID!]!) {
  ${asks
    .map(
      (at, index) => `p${index}: position(id: $id, asOf: "${instant(at)}") { quantity avgCost status closedAt }
  s${index}: position(id: $id) { statusAsOf(at: "${instant(at)}") }
  d${index}: nodes(ids: $decisions) { ... on TradeDecision { statusAsOf(at: "${instant(at)}") } }`,
    )
    .join('\n  ')}
  now: position(id: $id) { quantity avgCost status closedAt }
  late: position(id: $id, asOf: "2026-10-01T15:00:00Z") { quantity avgCost status closedAt }
  nowDecisions: nodes(ids: $decisions) { ... on TradeDecision { status statusAsOf(at: "2026-10-01T15:00:00Z") } }
}`;

describe('time travel: positions and statuses as they stood at an instant', () => {
  let gateway: TestGateway;
  let runs = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('answers, for any fills, status changes and instant, what replaying the record up to that instant gives', async () => {
    await fc.assert(
      fc.asyncProperty(histories, async (history) => {
        const written = await writeHistory(gateway.database.url, history, `${process.pid}-${++runs}`);
        const id = toGlobalId('Position', written.position);
        const decisionIds = written.decisions.map((decision) => toGlobalId('TradeDecision', decision));
        const result = await gateway.execute<any>(asOfQuery(history.asks), { id, decisions: decisionIds });
        expect(result.errors).toBeUndefined();
        for (const [index, at] of history.asks.entries()) {
          const expected = replay(history, at);
          expect({ at, position: result.data[`p${index}`] }).toEqual({ at, position: expected.position });
          expect(result.data[`s${index}`].statusAsOf).toBe(expected.position?.status ?? null);
          expect(result.data[`d${index}`].map((node: any) => node.statusAsOf)).toEqual(expected.decisions);
        }
        // After the last event, as of is now.
        expect(result.data.late).toEqual(result.data.now);
        for (const decision of result.data.nowDecisions) expect(decision.statusAsOf).toBe(decision.status);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves out of positions(asOf:) those not opened yet, and counts only those', async () => {
    const history: History = {
      openedAt: 500,
      decisionsAt: [500],
      fills: [{ buy: true, units: 200_000_000n, priceUnits: 10_000_000_000n, at: 600 }],
      changes: [],
      asks: [],
    };
    const { position } = await writeHistory(gateway.database.url, history, `${process.pid}-list-a`);
    const { position: older } = await writeHistory(
      gateway.database.url,
      { ...history, openedAt: 100, decisionsAt: [100] },
      `${process.pid}-list-b`,
    );
    const query = `query ($at: DateTime) {
      positions(first: 100, asOf: $at, where: { account: { startsWith: "acct-${process.pid}-list-" } }) {
        totalCount nodes { databaseId quantity status } } }`;
    const databaseIds = async (at: string | null) => {
      const result = await gateway.execute<any>(query, { at });
      expect(result.errors).toBeUndefined();
      return result.data.positions;
    };
    const before = await databaseIds(instant(499));
    expect(before.nodes.map((node: any) => node.databaseId)).toEqual([older]);
    expect(before.totalCount).toBe(1);
    expect(await databaseIds(instant(99))).toEqual({ totalCount: 0, nodes: [] });
    const opened = await databaseIds(instant(500));
    expect(opened.nodes.find((node: any) => node.databaseId === position)).toEqual({
      databaseId: position,
      quantity: '1.00000000',
      status: 'open',
    });
    expect(opened.totalCount).toBe(2);
    const filled = await databaseIds(instant(600));
    expect(filled.nodes.find((node: any) => node.databaseId === position).quantity).toBe('2.00000000');
    // Omitted or null: now, as before time travel existed.
    const now = await databaseIds(null);
    const late = await databaseIds('2026-10-01T15:00:00Z');
    expect(late).toEqual(now);
  });

  it('answers a page as of an instant in one statement per level, whatever the page size', async () => {
    // Its own 40 positions, each filled twice and its first decision settled, whatever ran before.
    for (let index = 0; index < 40; index++)
      await writeHistory(
        gateway.database.url,
        {
          openedAt: 10,
          decisionsAt: [5, 15],
          fills: [
            { buy: true, units: 300_000_000n, priceUnits: 1_000_000_000n, at: 10 },
            { buy: false, units: 100_000_000n, priceUnits: 1_100_000_000n, at: 25 },
          ],
          changes: [{ subject: 0, to: 'executed', at: 12 }],
          asks: [],
        },
        `${process.pid}-page-${index}`,
      );
    const query = (first: number) => `{ positions(first: ${first}, asOf: "2026-10-01T14:00:00.000050Z") {
      nodes { quantity status statusAsOf(at: "2026-10-01T14:00:00.000020Z")
        executions(first: 5) { nodes { statusAsOf(at: "2026-10-01T14:00:00.000030Z")
          decision { statusAsOf(at: "2026-10-01T14:00:00.000040Z") } } } } } }`;
    const small = await gateway.countStatements(() => gateway.execute<any>(query(2)));
    const large = await gateway.countStatements(() => gateway.execute<any>(query(40)));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(large.result.data.positions.nodes.length).toBeGreaterThan(10);
    expect(large.statements).toBe(small.statements);
    // The page as of the instant; its executions and their decisions read ahead in one more; and one
    // statusAsOf statement per level that asks it (positions, executions, decisions).
    expect(large.statements).toBe(5);
    expect(large.sql.filter((statement) => /as at/.test(statement))).toHaveLength(3);
  });

  it("answers every lifecycle type's status to the microsecond: absent before it existed, each change from its instant", async () => {
    const trade = await createTrade(gateway.orm.em.fork(), { executionCount: 1 });
    const execution = trade.executions[0]!;
    await withClient(gateway.database.url, (client) =>
      client.query(
        `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at) values
          ('TRADE', 'status_changed', '{"to": "failed"}', 'data_ingestion_runs', $1, 'test', '2026-10-01T14:30:00.000001Z'),
          ('TRADE', 'status_changed', '{"to": "cancelled"}', 'trade_executions', $2, 'test', '2026-10-01T14:30:00.000001Z')`,
        [trade.run.id, execution.id],
      ),
    );
    const statusesAt = async (at: string) => {
      const result = await gateway.execute<any>(
        `query ($run: ID!, $execution: ID!, $at: DateTime!) {
          run: ingestionRun(id: $run) { statusAsOf(at: $at) }
          execution: execution(id: $execution) { statusAsOf(at: $at) } }`,
        { run: trade.run.nodeId, execution: execution.nodeId, at },
      );
      expect(result.errors).toBeUndefined();
      return [result.data.run.statusAsOf, result.data.execution.statusAsOf];
    };
    // The run started at 14:00, the execution was recorded at 14:03 (createTrade), both changed at 14:30.000001.
    expect(await statusesAt('2026-10-01T13:59:59.999999Z')).toEqual([null, null]);
    expect(await statusesAt('2026-10-01T14:00:00Z')).toEqual(['succeeded', null]);
    expect(await statusesAt('2026-10-01T14:03:00Z')).toEqual(['succeeded', 'filled']);
    expect(await statusesAt('2026-10-01T14:30:00Z')).toEqual(['succeeded', 'filled']);
    expect(await statusesAt('2026-10-01T14:30:00.000001Z')).toEqual(['failed', 'cancelled']);
    expect(await statusesAt('2026-10-01T10:30:00.000001-04:00')).toEqual(['failed', 'cancelled']);
  });
});
