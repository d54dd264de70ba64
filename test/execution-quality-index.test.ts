import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

// Executions every 7 minutes back from 2026-01-01 (about 2.7 years), each with its decision and broker payloads.
const fixtures: Record<string, string> = {
  trade_decisions: `insert into trade_decisions
    (id, decision_id, strategy, symbol, side, quantity, order_type, limit_price, status, decision_rationale, created_at)
    select g, 'd' || g, 'S' || (g % 4), 'T' || (g % 300), case when g % 3 = 0 then 'sell' else 'buy' end, 10,
      case when g % 3 = 0 then 'limit' else 'market' end, case when g % 3 = 0 then 100 + g % 50 end, 'executed',
      jsonb_build_object('reference_price', (100 + g % 50)::text),
      timestamptz '2026-01-01' - g * interval '7 minutes' - interval '20 seconds'
    from generate_series(1, ${ROWS}) g`,
  api_payloads: `insert into api_payloads
    (id, direction, provider, endpoint, http_method, http_status, latency_ms, payload, payload_bytes, created_at)
    select g, case when g % 2 = 0 then 'response' else 'request' end, 'alpaca', '/v2/orders', 'POST',
      case when g % 2 = 0 then 200 end, case when g % 2 = 0 then 100 + g % 900 end,
      jsonb_build_object('symbol', 'T' || (g % 300), 'limit_price', '101.5'), 100,
      timestamptz '2026-01-01' - (g / 2) * interval '7 minutes'
    from generate_series(1, ${ROWS}) g`,
  trade_executions: `insert into trade_executions (execution_id, trade_decision_id, status, filled_quantity, fill_price,
      api_request_payload_id, api_response_payload_id, submitted_at, filled_at, created_at)
    select 'e' || g, g, 'filled', 10, 100 + g % 51, (2 * g - 1) % ${ROWS} + 1, (2 * g) % ${ROWS} + 1,
      timestamptz '2026-01-01' - g * interval '7 minutes',
      timestamptz '2026-01-01' - g * interval '7 minutes' + interval '2 seconds',
      timestamptz '2026-01-01' - g * interval '7 minutes'
    from generate_series(1, ${ROWS}) g`,
};

describe(`executionQuality narrows to its period through the created_at index on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    await client.query('analyze trade_decisions, api_payloads, trade_executions');
  });
  afterAll(async () => {
    await client.end();
    await gateway.close();
  });

  it.each([
    // ~200 executions: every joined row by primary key.
    ['one day', '2025-06-01', '2025-06-01', /Seq Scan on (trade_executions|trade_decisions|api_payloads)/],
    // ~6,000 executions (3% of the table): the planner rightly hashes the decisions and payloads, reading
    // those tables once in parallel, rather than 18,000 random primary-key probes; the executions themselves
    // still come from the created_at index range, never a scan.
    ['one month', '2025-06-01', '2025-06-30', /Seq Scan on trade_executions/],
  ])(
    '%s: one statement, its executions an index range on trade_executions (created_at, id)',
    async (_name, from, to, neverScanned) => {
      const query = `{ executionQuality(from: "${from}", to: "${to}") { executions slippageBps } }`;
      const { result, sql, bindings, statements } = await gateway.countStatements(() => gateway.execute(query));
      expect(result.errors).toBeUndefined();
      expect(statements).toBe(1);
      const rows = result.data!.executionQuality as { executions: number }[];
      const { rows: counted } = await client.query(
        `select count(*)::int as n from trade_executions where created_at >= $1 and created_at < $2::date + 1`,
        [from, to],
      );
      expect(rows.reduce((sum, row) => sum + row.executions, 0)).toBe(counted[0].n);

      // knex writes `?` placeholders; PostgreSQL takes `$n`.
      let parameter = 0;
      const statement = sql[0]!.replace(/\?/g, () => `$${++parameter}`);
      const { rows: plan } = await client.query(`explain ${statement}`, bindings[0]);
      const lines = plan.map((row) => row['QUERY PLAN'] as string).join('\n');
      console.log(`executionQuality over ${_name}:\n${lines}`);
      expect(lines).toMatch(
        /Index (Only )?Scan using trade_executions_created_at_id_index on trade_executions|Bitmap Index Scan on trade_executions_created_at_id_index/,
      );
      expect(lines).not.toMatch(neverScanned);
    },
  );
});
