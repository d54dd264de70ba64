import pg from 'pg';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;

// The same synthetic volume as test/index-use.test.ts: 500 symbols, a second apart, newest first.
const DECISIONS = `insert into trade_decisions
    (decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1 + g % 100,
      'market', 'executed', '{}'::jsonb, timestamptz '2026-10-01 00:00:00Z' - g * interval '1 second'
    from generate_series(1, ${ROWS}) g`;

/*
 * The operator families an index serves: eq/in and the ranges (lt, lte, gt, gte) on a column with a B-tree
 * index (symbol, strategy, created_at, …). The others read every row of the list's range, by design for now:
 * contains and ilike have no trigram index; startsWith would need a text_pattern_ops index (the database's
 * collation is not C); ne and notIn match most rows anyway; the current status is derived per row (the
 * (status, created_at) index holds the status as written); isNull has no partial index.
 */
describe(`where: uses the list's indexes on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, { trade_decisions: DECISIONS });
    await client.query('vacuum analyze trade_decisions');
  }, 120_000);
  afterAll(async () => {
    console.log(`EXPLAIN of where: statements:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The plans of the page's statement and of its count, as PostgreSQL would run them with these values. */
  async function plansOf(where: string) {
    const query = `{ decisions(first: 25, where: ${where}) { nodes { databaseId } totalCount } }`;
    const { result, sql, bindings } = await gateway.countStatements(() => gateway.execute(query));
    expect(result.errors).toBeUndefined();
    const explain = async (index: number) =>
      (await client.query(`explain ${sql[index]}`, bindings[index])).rows.map((row) => row['QUERY PLAN'] as string);
    const countIndex = sql.findIndex((statement) => /count\(\*\)/.test(statement));
    const pageIndex = sql.findIndex((statement) => /order by/.test(statement));
    const plan = { page: (await explain(pageIndex)).join('\n'), count: (await explain(countIndex)).join('\n') };
    plans.push(`${where}\n  page: ${plan.page}\n  count: ${plan.count}`);
    return { data: result.data!, ...plan };
  }

  it('symbol: { in: [...] } reads the symbol index', async () => {
    const { data, page, count } = await plansOf('{ symbol: { in: ["S7", "S8", "S9"] } }');
    expect(data.decisions.totalCount).toBe((3 * ROWS) / 500);
    expect(count).toContain('trade_decisions_symbol_created_at_index');
    // The page may walk the created_at order instead, stopping at 26 rows: an index either way.
    expect(page).toMatch(/trade_decisions_(symbol|created_at)/);
    expect(`${page}\n${count}`).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('createdAt: { gte, lt } reads the created_at index', async () => {
    const { data, page, count } = await plansOf(
      '{ createdAt: { gte: "2026-09-30T23:00:00Z", lt: "2026-10-01T00:00:00Z" } }',
    );
    expect(data.decisions.totalCount).toBe(3600);
    expect(page).toContain('trade_decisions_created_at_id_index');
    expect(`${page}\n${count}`).not.toMatch(/Seq Scan on trade_decisions/);
  });

  it('symbol: { contains } reads every row: a B-tree serves no infix match (there is no trigram index)', async () => {
    const { count } = await plansOf('{ symbol: { contains: "7" } }');
    expect(count).toMatch(/Seq Scan on trade_decisions/);
  });
});
