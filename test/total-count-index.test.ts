import pg from 'pg';
import { toGlobalId } from '../src/graphql/global-id';
import { foldChangesSql } from '../src/queries/current-status-projection';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;
const POSITIONS = 2_000;
/** One decision in this many is still pending, as in generated data (0.5%). */
const PENDING_EVERY = 200;

// The same synthetic volume as test/index-use.test.ts, shaped for counts: 500 symbols of
// decisions, and executions spread over 2,000 positions.
const fixtures: Record<string, string> = {
  trade_decisions: `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1 + g % 100,
      'market', case when g % ${PENDING_EVERY} = 0 then 'pending' else 'executed' end, '{}'::jsonb,
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
  positions: `insert into positions (account, symbol, quantity, avg_cost, status, opened_at)
    select 'PA-' || g, 'S' || g, 0, 1, 'open', now() - g * interval '1 second'
    from generate_series(1, ${POSITIONS}) g`,
  trade_executions: `insert into trade_executions
    (execution_id, status, filled_quantity, position_id, created_at)
    select 'e' || g, 'rejected', 0, (select min(id) from positions) + g % ${POSITIONS},
      now() - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`,
};

describe(`totalCount counts through the list's index on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, fixtures);
    // As autovacuum leaves a table that is only appended to: statistics and visibility map current.
    await client.query('vacuum analyze trade_decisions, positions, trade_executions');
  }, 120_000);
  afterAll(async () => {
    console.log(`EXPLAIN of totalCount's statements:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  async function countPlan(query: string, variables?: Record<string, unknown>) {
    const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute(query, variables));
    expect(result.errors).toBeUndefined();
    const index = sql.findIndex((statement) => /count\(\*\)/.test(statement));
    expect(index).toBeGreaterThanOrEqual(0);
    const { rows } = await client.query(`explain ${sql[index]}`, bindings[index]);
    return { data: result.data!, plan: rows.map((row) => row['QUERY PLAN'] as string) };
  }
  const indexLines = (plan: string[]) =>
    plan
      .filter((line) => /Index|Scan/.test(line))
      .map((line) => line.trim().replace(/\s+\(cost.*$/, ''))
      .join('; ');

  it('counts decisions of one symbol through the symbol index', async () => {
    const { data, plan } = await countPlan('{ decisions(first: 1, filter: { symbol: "S7" }) { totalCount } }');
    expect(data.decisions.totalCount).toBe(ROWS / 500);
    expect(plan.join('\n')).toContain('trade_decisions_symbol_created_at_index');
    expect(plan.join('\n')).not.toMatch(/Seq Scan on trade_decisions/);
    plans.push(`decisions(filter: { symbol }): ${indexLines(plan)}`);
  });

  it('counts the decisions still pending through the current_statuses index, not a status lookup per decision', async () => {
    const pendingCount = '{ decisions(first: 1, where: { status: { eq: pending } }) { totalCount } }';
    // The integrator has not run: every row is since its snapshot, and the count is by the events, still exact.
    expect((await countPlan(pendingCount)).data.decisions.totalCount).toBe(ROWS / PENDING_EVERY);
    // The projection as a batch leaves it (the migration's fill): as of a snapshot, moved with it.
    await client.query('begin');
    await client.query('update merkle_integration set snapshot = pg_current_snapshot()');
    await client.query(foldChangesSql('pg_visible_in_snapshot(t.recorded_xid, pg_current_snapshot())'));
    await client.query('commit');
    await client.query('vacuum analyze current_statuses');
    // Since that snapshot, two of them were moved on, and one moved back by a producer: the count stays exact.
    const { rows } = await client.query(
      `select id::text from trade_decisions where status = 'pending' order by id limit 3`,
    );
    for (const [index, row] of rows.entries()) {
      await client.query(
        `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
         values ('TRADE', 'status_changed', $1, 'trade_decisions', $2, 'test', now())`,
        [{ from: 'pending', to: 'executed' }, row.id],
      );
      if (index === 0)
        await client.query(
          `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
           values ('TRADE', 'status_changed', $1, 'trade_decisions', $2, 'test', now())`,
          [{ from: 'executed', to: 'pending' }, row.id],
        );
    }
    const { data, plan } = await countPlan(pendingCount);
    expect(data.decisions.totalCount).toBe(ROWS / PENDING_EVERY - 2);
    const text = plan.join('\n');
    expect(text).toContain('current_statuses_status_index');
    // Records committed since the snapshot are found through the recorded_xid index, not by reading every one.
    expect(text).toContain('trade_decisions_recorded_xid_index');
    expect(text).not.toMatch(/Seq Scan on (trade_decisions|audit_events|current_statuses)/);
    plans.push(`decisions(where: { status: { eq: pending } }): ${indexLines(plan)}`);
  });

  it("counts one position's executions through the position_id index, grouped by parent", async () => {
    const { rows } = await client.query('select min(id)::text as id from positions');
    const { data, plan } = await countPlan(
      'query($id: ID!) { node(id: $id) { ... on Position { executions(first: 1) { totalCount } } } }',
      { id: toGlobalId('Position', rows[0].id) },
    );
    expect(data.node.executions.totalCount).toBe(ROWS / POSITIONS);
    expect(plan.join('\n')).toContain('trade_executions_position_id_index');
    expect(plan.join('\n')).not.toMatch(/Seq Scan on trade_executions/);
    plans.push(`Position.executions: ${indexLines(plan)}`);
  });

  it('counts an unfiltered list by reading all of one index (or the table, where the planner rightly prefers it)', async () => {
    const { data, plan } = await countPlan('{ decisions(first: 1) { totalCount } }');
    expect(data.decisions.totalCount).toBe(ROWS);
    // Every row is counted: an index-only scan of the smallest index, or a (parallel) sequential scan,
    // both reading the whole list; which one is the planner's choice by the visibility map.
    expect(plan.join('\n')).toMatch(/Index Only Scan|Seq Scan on trade_decisions/);
    plans.push(`decisions, unfiltered: ${indexLines(plan)}`);
  });
});
