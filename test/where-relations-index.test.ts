import pg from 'pg';
import { tableOf } from '../src/lineage/node-types';
import { columnsOf, RELATION_FIELDS } from '../src/lineage/relations';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

/*
 * 200,000 rows per table, one lineage per g: run g fetched payload g, which
 * fed decision g, carried out by execution g (request payload g, response
 * payload ROWS + 1 - g) into position g. 1% of the payloads answered 500 and
 * 1% of the runs failed; 50 strategies.
 */
const fixtures: Record<string, string> = {
  data_ingestion_runs: `insert into data_ingestion_runs (id, run_id, task_name, source, status, started_at, created_at)
    select g, 'r' || g, 'data_fetch:congress_daily', 'quiverquant',
      case when g % 100 = 0 then 'failed' else 'succeeded' end,
      timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second', timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  api_payloads: `insert into api_payloads
    (id, ingestion_run_id, direction, provider, endpoint, http_method, http_status, payload_bytes, created_at)
    select g, g, 'response', 'quiverquant', '/beta/live/congresstrading', 'GET',
      case when g % 100 = 7 then 500 else 200 end, 0, timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  trade_decisions: `insert into trade_decisions
    (id, decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
    select g, 'd' || g, 'S' || (g % 50), 'S' || (g % 500), 'buy', 1, 'market', 'executed', '{}'::jsonb,
      timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  decision_inputs: `insert into decision_inputs (trade_decision_id, api_payload_id)
    select g, g from generate_series(1, ${ROWS}) g`,
  positions: `insert into positions (id, account, symbol, quantity, avg_cost, status, opened_at)
    select g, 'PA-' || g, 'S' || (g % 500), 0, 1, 'open', timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  trade_executions: `insert into trade_executions (id, execution_id, trade_decision_id, position_id,
      api_request_payload_id, api_response_payload_id, status, filled_quantity, created_at)
    select g, 'e' || g, g, g, g, ${ROWS} + 1 - g, 'rejected', 0, timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};

describe(`where: relation filters probe the edge's index inside EXISTS on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    await client.query(`vacuum analyze ${Object.keys(fixtures).join(', ')}`);
  }, 240_000);
  afterAll(async () => {
    console.log(`EXPLAIN of relation filters:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The plans of the page's statement and of its count, as PostgreSQL would run them with these values. */
  async function plansOf(list: string, where: string) {
    const query = `{ ${list}(first: 25, where: ${where}) { nodes { databaseId } totalCount } }`;
    const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute(query));
    expect(result.errors).toBeUndefined();
    const explain = async (index: number) =>
      (await client.query(`explain ${sql[index]}`, bindings[index])).rows.map((row) => row['QUERY PLAN'] as string);
    const page = (await explain(sql.findIndex((statement) => /order by/.test(statement)))).join('\n');
    const count = (await explain(sql.findIndex((statement) => /count\(\*\)/.test(statement)))).join('\n');
    plans.push(`${list}(where: ${where})\n  page: ${page}\n  count: ${count}`);
    return { data: result.data![list], page, count };
  }

  it('every list edge has an index led by the column its EXISTS correlates on (no migration needed)', async () => {
    const { rows } = await client.query(
      `select t.relname as table, a.attname as column from pg_index i
         join pg_class t on t.oid = i.indrelid join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
        where i.indpred is null`,
    );
    const led = new Set(rows.map((row) => `${row.table}.${row.column}`));
    // A to-one reads its own foreign key and probes the target's primary key; a list probes the
    // column holding its own id (`near`), and a join table's row then leads to the target by key.
    const probed = [...RELATION_FIELDS.values()].flat().flatMap((direction) => {
      const { table, near } = columnsOf(direction);
      const target = `${tableOf(direction.leadsTo)}.id`;
      if (direction.one) return [target];
      return 'joinTable' in direction.edge ? [`${table}.${near}`, target] : [`${table}.${near}`];
    });
    expect(probed.filter((column) => !led.has(column))).toEqual([]);
    expect(probed).toEqual(
      expect.arrayContaining(['decision_inputs.api_payload_id', 'decision_inputs.trade_decision_id']),
    );
  });

  it('decisions whose inputs have some payload answered ≥ 400: decision_inputs by decision, then the payload by id', async () => {
    const { data, page, count } = await plansOf('decisions', '{ inputs: { some: { httpStatus: { gte: 400 } } } }');
    expect(data.totalCount).toBe(ROWS / 100);
    expect(page).toContain('decision_inputs_pkey');
    expect(page).toContain('api_payloads_pkey');
    // Counting all of them, the planner rightly reads both sides once and hashes: no index holds http_status,
    // so the 1% of payloads that answered ≥ 400 are found by reading every payload anyway, and hashing the
    // 200,000 links costs less than 2,000 probes of them. Each matching decision is then found by its key.
    expect(count).toContain('trade_decisions_pkey');
    expect(count).not.toMatch(/Seq Scan on trade_decisions/);
    expect(page).not.toMatch(/Seq Scan/);
  });

  it('decisions fed by a failed run: two edges, each by its index', async () => {
    const { data, page } = await plansOf(
      'decisions',
      '{ inputs: { some: { ingestionRun: { status: { eq: failed } } } } }',
    );
    expect(data.totalCount).toBe(ROWS / 100);
    expect(page).toContain('decision_inputs_pkey');
    expect(page).toContain('data_ingestion_runs_pkey');
    // The count reads every run: a run's current status is derived from its status events, per row, so no
    // index holds it (as for where: on status itself); the edges to the decisions are then walked by index.
  });

  it('executions whose decision has a strategy: the decision by primary key, or its strategy index', async () => {
    const { data, page, count } = await plansOf('executions', '{ decision: { strategy: { eq: "S7" } } }');
    expect(data.totalCount).toBe(ROWS / 50);
    expect(page).toMatch(/trade_decisions_(pkey|strategy_created_at_index)/);
    expect(count).toMatch(/trade_decisions_(pkey|strategy_created_at_index)/);
    expect(`${page}\n${count}`).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('runs whose payloads answered ≥ 400: api_payloads by run', async () => {
    const { data, page, count } = await plansOf(
      'ingestionRuns',
      '{ runId: { in: ["r107", "r207", "r208"] }, payloads: { some: { httpStatus: { gte: 400 } } } }',
    );
    expect(data.totalCount).toBe(2);
    expect(page).toContain('api_payloads_ingestion_run_id_index');
    expect(count).toContain('api_payloads_ingestion_run_id_index');
  });

  it('runs with some payload that fed a decision on a symbol: walked up from the decisions, every edge by index', async () => {
    const { data, page, count } = await plansOf(
      'ingestionRuns',
      '{ payloads: { some: { decisions: { some: { symbol: { eq: "S7" } } } } } }',
    );
    expect(data.totalCount).toBe(ROWS / 500);
    for (const plan of [page, count]) {
      expect(plan).toContain('decision_inputs_pkey');
      expect(plan).toContain('data_ingestion_runs_pkey');
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it('payloads with an execution, as request or response: both foreign-key indexes', async () => {
    const { data, page, count } = await plansOf(
      'apiPayloads',
      '{ createdAt: { gte: "2026-09-30T23:59:00Z" }, executions: { some: { filledQuantity: { eq: "0" } } } }',
    );
    expect(data.totalCount).toBe(60);
    for (const plan of [page, count]) {
      expect(plan).toContain('trade_executions_api_request_payload_id_index');
      expect(plan).toContain('trade_executions_api_response_payload_id_index');
    }
  });

  it("positions with an execution: the executions' position index", async () => {
    const { data, page, count } = await plansOf(
      'positions',
      '{ symbol: { eq: "S7" }, executions: { some: { filledQuantity: { eq: "0" } } } }',
    );
    expect(data.totalCount).toBe(ROWS / 500);
    expect(page).toContain('trade_executions_position_id_index');
    expect(count).toContain('trade_executions_position_id_index');
  });
});
