import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

// 500 symbols and 4 strategies of decisions; payloads of 20 providers; events of the five log types, a
// second apart: enough that a narrowed aggregate reading the whole table would be the wrong plan.
const fixtures: Record<string, string> = {
  trade_decisions: `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, limit_price, status, created_at)
    select 'd' || g, 'Strategy' || (g % 4), 'S' || (g % 500), 'buy', 1 + g % 100, 'limit', 10 + g % 7,
      'executed', now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  api_payloads: `insert into api_payloads
    (direction, provider, endpoint, http_method, http_status, latency_ms, payload_bytes, created_at)
    select 'response', 'provider' || (g % 20), '/v' || (g % 3), 'GET', 200 + (g % 2) * 300, g % 900, 10,
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};

describe(`aggregates narrowed by where read through the list's index on ${ROWS.toLocaleString('en')} rows`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    await client.query('vacuum analyze trade_decisions, api_payloads');
  }, 120_000);
  afterAll(async () => {
    console.log(`EXPLAIN of the aggregates' statements:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The aggregate's one statement, run by the gateway, then explained. */
  async function aggregatePlan(query: string) {
    const { result, sql, bindings, statements } = await gateway.countStatements(() => gateway.execute(query));
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(1);
    const { rows } = await client.query(`explain ${sql[0]}`, bindings[0]);
    const plan = rows.map((row) => row['QUERY PLAN'] as string);
    const scans = plan
      .filter((line) => /Index|Scan/.test(line))
      .map((line) => line.trim().replace(/\s+\(cost.*$/, ''))
      .join('; ');
    return { data: result.data!, plan: plan.join('\n'), scans };
  }

  it("groups one symbol's decisions by strategy and day through the symbol index", async () => {
    const { data, plan, scans } = await aggregatePlan(
      '{ decisionsAggregate(where: { symbol: { eq: "S7" } }, groupBy: [STRATEGY, DAY]) { count } }',
    );
    const total = data.decisionsAggregate.reduce((sum: number, group: any) => sum + group.count, 0);
    expect(total).toBe(ROWS / 500);
    expect(plan).toContain('trade_decisions_symbol_created_at_index');
    expect(plan).not.toMatch(/Seq Scan on trade_decisions/);
    plans.push(`decisionsAggregate(where: { symbol }): ${scans}`);
  });

  it("groups one provider's payloads of the last hour by HTTP status through the provider index", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const { data, plan, scans } = await aggregatePlan(
      `{ apiPayloadsAggregate(where: { provider: { eq: "provider3" }, createdAt: { gte: "${since}" } },
           groupBy: [HTTP_STATUS]) { count latency { avg } } }`,
    );
    expect(data.apiPayloadsAggregate.length).toBeGreaterThan(0);
    expect(plan).toContain('api_payloads_provider_created_at_index');
    expect(plan).not.toMatch(/Seq Scan on api_payloads/);
    plans.push(`apiPayloadsAggregate(where: { provider, createdAt }): ${scans}`);
  });

  it("groups the last ten minutes' decisions by symbol through the time index", async () => {
    const since = new Date(Date.now() - 600_000).toISOString();
    const { plan, scans } = await aggregatePlan(
      `{ decisionsAggregate(where: { createdAt: { gte: "${since}" } }, groupBy: [SYMBOL]) { count } }`,
    );
    expect(plan).toMatch(/trade_decisions_created_at_id_index|trade_decisions_\w+_created_at_index/);
    expect(plan).not.toMatch(/Seq Scan on trade_decisions/);
    plans.push(`decisionsAggregate(where: { createdAt }): ${scans}`);
  });

  it('reads the whole table for an unfiltered group-by, as it should', async () => {
    // Every row is in some group: one sequential pass beats 200,000 index probes, so the planner rightly scans.
    const { data, plan, scans } = await aggregatePlan(
      '{ decisionsAggregate(groupBy: [STRATEGY]) { keys { strategy } count notional { sum } } }',
    );
    expect(data.decisionsAggregate.map((group: any) => group.count)).toEqual([50_000, 50_000, 50_000, 50_000]);
    expect(plan).toMatch(/Seq Scan on trade_decisions/);
    plans.push(`decisionsAggregate(groupBy: [STRATEGY]), no where: ${scans}`);
  });
});
