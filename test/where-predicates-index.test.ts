import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

// Shaped as the generated data is: defects and broker errors at small rates, newest first.
const fixtures: Record<string, string> = {
  api_payloads: `insert into api_payloads (direction, provider, endpoint, http_method, http_status, payload, payload_bytes, created_at)
    values ('request', 'alpaca', '/v2/orders', 'POST', null, '{}', 2, now())`,
  // 1 in 1,000 without a rationale; 1 in 100 still pending.
  trade_decisions: `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1 + g % 100, 'market',
      case when g % 100 = 0 then 'pending' else 'executed' end,
      case when g % 1000 = 0 then '{}'::jsonb else '{"signal": "congress_buy"}'::jsonb end,
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  // One per decision; 1 in 500 without a request payload; 1 in 200 rejected for buying power.
  trade_executions: `insert into trade_executions (execution_id, trade_decision_id, status, filled_quantity,
      error_message, api_request_payload_id, api_response_payload_id, created_at)
    select 'e' || g, (select min(id) from trade_decisions) + g - 1,
      case when g % 200 = 0 then 'rejected' else 'filled' end, 0,
      case when g % 200 = 0 then 'insufficient buying power' when g % 200 = 1 then 'market is closed' end,
      case when g % 500 <> 7 then (select min(id) from api_payloads) end, (select min(id) from api_payloads),
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  // 4 in 100 failed, as the generator's runs are.
  data_ingestion_runs: `insert into data_ingestion_runs (run_id, task_name, source, status, error_message,
      started_at, created_at)
    select 'r' || g, 'data_fetch:congress_daily', 'quiverquant',
      case when g % 25 = 0 then 'failed' else 'succeeded' end,
      case when g % 25 = 0 then 'HTTP 429: rate limit exceeded' end,
      now() - g * interval '1 second', now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};
// Status changes about executions: 1 in 200 carries the broker's words.
const EVENTS = `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
  select 'TRADE', 'status_changed',
    case when g % 200 = 0 then '{"to": "rejected", "reason": "insufficient buying power"}'::jsonb
         else '{"to": "filled"}'::jsonb end,
    'trade_executions', (select min(id) from trade_executions) + g - 1, 'broker-gateway', now()
  from generate_series(1, ${ROWS}) g`;

describe(`integrity predicates, errorText and narrowed search on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    await client.query(EVENTS);
    await client.query('vacuum analyze trade_decisions, trade_executions, data_ingestion_runs, audit_events');
  }, 300_000);
  afterAll(async () => {
    console.log(`EXPLAIN of predicate statements:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The plan of each statement of a query (the page's and the count's), as PostgreSQL runs it with its values. */
  async function plansOf(query: string) {
    const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute(query));
    expect(result.errors).toBeUndefined();
    const explained = await Promise.all(
      sql.map(async (statement, index) =>
        (await client.query(`explain ${statement}`, bindings[index])).rows.map((row) => row['QUERY PLAN']).join('\n'),
      ),
    );
    plans.push(`${query}\n${explained.map((plan) => `  ${plan}`).join('\n')}`);
    const count = explained.find((_, index) => /^select count\(\*\)|select \(select count\(\*\)/.test(sql[index]!))!;
    return { data: result.data!, all: explained.join('\n'), count };
  }
  const list = (field: string, where: string) =>
    `{ ${field}(first: 25, where: ${where}) { nodes { databaseId } totalCount } }`;

  it('errorText: { matches } reads the executions’ search index', async () => {
    const { data, count, all } = await plansOf(list('executions', '{ errorText: { matches: "buying power" } }'));
    expect(data.executions.totalCount).toBe(ROWS / 200);
    expect(count).toContain('trade_executions_search_gin');
    expect(all).not.toMatch(/Seq Scan on trade_executions/);
  });

  it('missingRequestPayload: true reads the partial index of executions missing a payload', async () => {
    const { data, count, all } = await plansOf(list('executions', '{ missingRequestPayload: true }'));
    expect(data.executions.totalCount).toBe(ROWS / 500);
    // The partial index of missing payloads, or the request foreign key's index (it holds the nulls too).
    expect(count).toMatch(/trade_executions_(missing_payload|api_request_payload_id)_index/);
    expect(all).not.toMatch(/Seq Scan on trade_executions/);
  });

  it('emptyRationale: true reads the partial index of decisions without a rationale', async () => {
    const { data, count, all } = await plansOf(list('decisions', '{ emptyRationale: true }'));
    expect(data.decisions.totalCount).toBe(ROWS / 1000);
    expect(count).toContain('trade_decisions_missing_rationale_index');
    expect(all).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('stalePending reads the (status, created_at) index', async () => {
    const { data, count, all } = await plansOf(list('decisions', '{ stalePending: { olderThan: "PT1H" } }'));
    // Every hundredth decision is pending, a second apart: those made over an hour before the request.
    expect(data.decisions.totalCount).toBeGreaterThanOrEqual(ROWS / 100 - 36);
    expect(data.decisions.totalCount).toBeLessThanOrEqual(ROWS / 100 - 30);
    expect(count).toContain('trade_decisions_status_created_at_index');
    expect(all).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('multipleExecutions counts executions per decision once, off their decision index', async () => {
    const { data, count, all } = await plansOf(list('decisions', '{ multipleExecutions: true }'));
    expect(data.decisions.totalCount).toBe(0);
    // No index holds "two fills": one index-only pass groups the executions by decision (an init
    // plan, run once), and only its candidates are looked up, by primary key.
    expect(count).toMatch(/InitPlan/);
    expect(count).toMatch(/Index Only Scan using trade_executions_\w+ on trade_executions/);
    expect(count).toContain('Index Cond: (id = ANY');
    expect(all).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('a run’s errorText reads the runs: 1 in 25 has a message, one short line — a search index would not pay', async () => {
    // Runs are the smallest lineage table: 52,057 at scale 100 (BENCHMARKS.md), four times fewer than here.
    // Measured on these 200,000: the count's scan takes 65-77 ms, with a GIN index 10 ms (built in 190 ms),
    // so at scale 100 the scan is ~20 ms — under the 50 ms aimed at — and an index would buy nobody anything.
    const { data, count } = await plansOf(list('ingestionRuns', '{ errorText: { matches: "rate limit" } }'));
    expect(data.ingestionRuns.totalCount).toBe(ROWS / 25);
    expect(count).toMatch(/Seq Scan on data_ingestion_runs/);
  });

  it('search narrowed by an execution where: matches through the search index, then the condition', async () => {
    const { data, count, all } = await plansOf(`{ search(query: "buying power",
        where: { execution: { status: { eq: rejected }, createdAt: { gte: "2000-01-01T00:00:00Z" } } }, first: 10) {
        totalCount nodes { kind node { databaseId } } } }`);
    expect(data.search.totalCount).toBe(ROWS / 200);
    expect(count).toContain('trade_executions_search_gin');
    expect(all).not.toMatch(/Seq Scan on trade_executions/);
  });

  it('search of AUDIT_EVENT reads the audit events’ search index', async () => {
    const { data, count, all } = await plansOf(`{ search(query: "buying power", kinds: [AUDIT_EVENT], first: 10) {
        totalCount nodes { kind auditEvent { event } node { databaseId } } } }`);
    expect(data.search.totalCount).toBe(ROWS / 200);
    expect(data.search.nodes[0].auditEvent.event).toBe('status_changed');
    expect(count).toContain('audit_events_search_gin');
    expect(all).not.toMatch(/Seq Scan on audit_events/);
  });
});
