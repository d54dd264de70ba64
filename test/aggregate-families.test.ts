import pg from 'pg';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const TRADES = 6;

describe('the four aggregates: counts as the lists count, one statement each, bounded', () => {
  let gateway: TestGateway;
  let trades: TradeFixture[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    trades = [];
    for (let index = 0; index < TRADES; index++)
      trades.push(
        await createTrade(gateway.orm.em.fork(), {
          executionCount: index % 3,
          symbol: index % 2 ? 'AAPL' : 'MSFT',
          strategy: index % 3 ? 'Momentum' : 'Congress',
          adjust: ({ executions }) => {
            // One rejected execution with no fill, and one filled 1.5 s after it was sent.
            if (index === 1) Object.assign(executions[0]!, { status: 'rejected', fillPrice: null, filledAt: null });
            if (index === 2) executions[1]!.filledAt = '2026-03-31T14:30:05.500001Z' as never;
          },
        }),
      );
    await appendStatusChange(gateway.database.url, {
      table: 'trade_decisions',
      id: trades[0]!.decision.databaseId,
      to: 'cancelled',
    });
  });
  afterAll(() => gateway.close());

  it("gives each group the count its list's totalCount has under the same where", async () => {
    const { data, errors } = await gateway.execute(`{
      decisionsAggregate(where: { symbol: { eq: "MSFT" } }, groupBy: [STATUS]) { keys { status } count }
      cancelled: decisions(where: { symbol: { eq: "MSFT" }, status: { eq: cancelled } }) { totalCount }
      executed: decisions(where: { symbol: { eq: "MSFT" }, status: { eq: executed } }) { totalCount }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.decisionsAggregate).toEqual([
      { keys: { status: 'cancelled' }, count: data!.cancelled.totalCount },
      { keys: { status: 'executed' }, count: data!.executed.totalCount },
    ]);
    expect(data!.cancelled.totalCount).toBe(1);
  });

  it("groups executions by their decision's strategy, with exact notional and latency", async () => {
    const { data, errors } = await gateway.execute(`{
      executionsAggregate(groupBy: [STRATEGY, STATUS]) {
        keys { strategy status } count
        quantity { sum } notional { sum max } latency { sum avg min max }
      }
      rejected: executions(where: { status: { eq: rejected } }) { totalCount }
    }`);
    expect(errors).toBeUndefined();
    // Momentum: trades 1, 2, 4 and 5 → 1 + 2 + 1 + 2 executions, one of them rejected (trade 1's first).
    expect(data!.executionsAggregate.map((group: any) => [group.keys, group.count])).toEqual([
      [{ strategy: 'Momentum', status: 'filled' }, 5],
      [{ strategy: 'Momentum', status: 'rejected' }, data!.rejected.totalCount],
    ]);
    const [filled, rejected] = data!.executionsAggregate;
    expect(filled.quantity.sum).toBe('52.50000000');
    // 10.5 × 187.25 = 1966.125, five times, to 16 places.
    expect(filled.notional).toEqual({ sum: '9830.6250000000000000', max: '1966.1250000000000000' });
    expect(rejected.notional.sum).toBeNull();
    expect(rejected.latency).toEqual({ sum: null, avg: null, min: null, max: null });
    expect(filled.latency.max).not.toBeNull();
  });

  it('groups payloads by provider and HTTP status, and events by log type, in key order', async () => {
    const { data, errors } = await gateway.execute(`{
      apiPayloadsAggregate(groupBy: [PROVIDER, HTTP_STATUS]) { keys { provider httpStatus } count latency { min max } }
      auditEventsAggregate(groupBy: [LOG_TYPE], where: { event: { eq: "status_changed" } }) { keys { logType } count }
      everything: decisionsAggregate { keys { strategy day } count quantity { sum avg } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.apiPayloadsAggregate.map((group: any) => group.keys)).toEqual([
      { provider: 'alpaca', httpStatus: 201 },
      { provider: 'alpaca', httpStatus: null },
      { provider: 'quiverquant', httpStatus: 200 },
    ]);
    expect(data!.apiPayloadsAggregate[2].latency).toEqual({ min: '120', max: '121' });
    expect(data!.auditEventsAggregate).toEqual([{ keys: { logType: 'TRADE' }, count: 1 }]);
    expect(data!.everything).toEqual([
      {
        keys: { strategy: null, day: null },
        count: TRADES,
        quantity: { sum: '63.00000000', avg: '10.50000000' },
      },
    ]);
  });

  it('runs one statement per aggregate, whatever the groups', async () => {
    const { statements, result } = await gateway.countStatements(() =>
      gateway.execute(`{
        a: decisionsAggregate(groupBy: [SYMBOL, DAY], timeZone: "America/New_York") { count }
        b: executionsAggregate(groupBy: [SYMBOL, SIDE, WEEK]) { count }
      }`),
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(2);
  });

  it('refuses more than 10,000 groups whole, saying how to ask for fewer', async () => {
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await client.query(`insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status)
      select 'many-' || g, 'Many', 'S' || g, 'buy', 1, 'market', 'pending' from generate_series(1, 10001) g`);
    await client.end();
    const many = (groupBy: string) =>
      gateway.execute(`{ decisionsAggregate(where: { strategy: { eq: "Many" } }, groupBy: [${groupBy}]) { count } }`);
    const refused = await many('SYMBOL');
    expect(refused.data).toBeNull();
    expect(refused.errors![0]!.extensions!.code).toBe('RESULT_TOO_LARGE');
    expect(refused.errors![0]!.message).toMatch(/more than 10,000 groups: narrow `where` or group by fewer/);
    expect((await many('SIDE')).data!.decisionsAggregate).toEqual([{ count: 10_001 }]);
  });
});
