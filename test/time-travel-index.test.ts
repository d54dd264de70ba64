import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;
const POSITIONS = 2_000;
/** Every synthetic row is dated back from here, a second apart. */
const BASE = "'2026-10-01T00:00:00Z'::timestamptz";
const AS_OF = '2026-09-30T12:00:00Z';

// 200,000 decisions, each settled by a status change a minute after it was written; 200,000
// fills spread over 2,000 positions; and 200,000 NAV snapshots.
const fixtures: Record<string, string> = {
  trade_decisions: `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1 + g % 100,
      'market', 'pending', ${BASE} - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  positions: `insert into positions (account, symbol, quantity, avg_cost, status, opened_at)
    select 'PA-' || g, 'S' || g, 1, 1, 'open', ${BASE} - interval '10 days' - g * interval '1 second'
    from generate_series(1, ${POSITIONS}) g`,
  trade_executions: `insert into trade_executions
    (execution_id, trade_decision_id, status, filled_quantity, fill_price, position_id, filled_at, created_at)
    select 'e' || g, (select min(id) from trade_decisions) + g - 1, 'filled', 1, 10 + g % 7,
      (select min(id) from positions) + g % ${POSITIONS},
      ${BASE} - g * interval '1 second', ${BASE} - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};

/** The planner's events, numbered by the database (nothing hashes them as they are written). */
async function writePlannerEvents(client: pg.Client): Promise<void> {
  await client.query('begin');
  await client.query(`insert into audit_events
      (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
    select 'TRADE', 'status_changed', '{"from": "pending", "to": "executed"}', 'trade_decisions', d.id,
      'planner', d.created_at + interval '1 minute'
    from trade_decisions d order by d.id`);
  await client.query(`insert into audit_events (log_type, event, event_data, actor, occurred_at)
    select 'NAV', 'position_snapshot', jsonb_build_object('nav', 100000 + g * 0.01), 'planner',
      ${BASE} - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`);
  await client.query('commit');
}

describe(`time travel reads through indexes on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    await writePlannerEvents(client);
    await client.query('vacuum analyze trade_decisions, positions, trade_executions, audit_events');
  }, 240_000);
  afterAll(async () => {
    console.log(`EXPLAIN of time travel's statements:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The plan of the statement of `query` that `pick` finds. */
  async function planOf(query: string, pick: RegExp) {
    const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute<any>(query));
    expect(result.errors).toBeUndefined();
    const index = sql.findIndex((statement) => pick.test(statement));
    expect(index).toBeGreaterThanOrEqual(0);
    const { rows } = await client.query(`explain ${sql[index]}`, bindings[index]);
    return { data: result.data!, plan: rows.map((row) => row['QUERY PLAN'] as string).join('\n') };
  }
  const indexLines = (plan: string) =>
    plan
      .split('\n')
      .filter((line) => /Index|Scan/.test(line))
      .map((line) => line.trim().replace(/\s+\(cost.*$/, ''))
      .join('; ');

  it("finds each decision's status as of an instant by one probe of the status-change index", async () => {
    const at = '2026-09-30T23:59:30.000000Z';
    const { data, plan } = await planOf(
      `{ decisions(first: 100) { nodes { createdAt status statusAsOf(at: "${at}") } } }`,
      /as at/,
    );
    // The newest were not written yet at `at`, the next not settled yet (a minute after writing), the rest settled.
    const statuses = data.decisions.nodes.map((node: any) => node.statusAsOf);
    expect(statuses).toContain(null);
    expect(statuses).toContain('pending');
    expect(statuses).toContain('executed');
    expect(plan).toContain('audit_events_status_change_index');
    expect(plan).not.toMatch(/Seq Scan on audit_events/);
    plans.push(`statusAsOf(at:): ${indexLines(plan)}`);
  });

  it('pages positions as of an instant through the opening-time index, their fills by the position index', async () => {
    const { data, plan } = await planOf(
      `{ positions(first: 20, asOf: "${AS_OF}") { nodes { openedAt quantity avgCost status closedAt } } }`,
      /position_lot/,
    );
    expect(data.positions.nodes).toHaveLength(20);
    expect(plan).toContain('positions_opened_at_id_index');
    expect(plan).toContain('trade_executions_position_id_index');
    expect(plan).toContain('audit_events_status_change_index');
    expect(plan).not.toMatch(/Seq Scan on (trade_executions|audit_events)/);
    plans.push(`positions(asOf:): ${indexLines(plan)}`);
  });

  it('reads a NAV history window through the (log_type, occurred_at) index', async () => {
    const { data, plan } = await planOf(
      '{ navHistory(from: "2026-09-30T23:00:00Z", to: "2026-10-01T00:00:00Z") { nav occurredAt } }',
      /log_type = 'NAV'/,
    );
    expect(data.navHistory).toHaveLength(3600);
    expect(data.navHistory[0]).toEqual({ nav: '100036.00', occurredAt: '2026-09-30T23:00:00.000000Z' });
    expect(plan).toContain('audit_events_log_type_occurred_at_index');
    expect(plan).not.toMatch(/Seq Scan on audit_events/);
    plans.push(`navHistory: ${indexLines(plan)}`);
  });
});
