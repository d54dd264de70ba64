import pg from 'pg';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { tableNameOf } from '../src/database/entity-metadata';
import * as entities from '../src/entities';
import { LIST_ORDERS, type ListOrders } from '../src/queries/list-order';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { writePlannerRows } from './harness/planner-rows';

const ROWS = 200_000;
// Three rows per second, so ties in the time column are the rule and the id really breaks them.
const when = `date_trunc('second', now()) - (g / 3) * interval '1 second'`;

const fixtures: Record<string, string> = {
  data_ingestion_runs: `insert into data_ingestion_runs (run_id, task_name, source, status, records_fetched, started_at, created_at)
    select 'r' || g, 'data_fetch:congress_daily', 'quiverquant', 'succeeded', 10, ${when}, ${when}
    from generate_series(1, ${ROWS}) g`,
  api_payloads: `insert into api_payloads (direction, provider, endpoint, http_method, http_status, payload_bytes, created_at)
    select 'response', 'quiverquant', '/beta/live/congresstrading', 'GET', 200, 100, ${when}
    from generate_series(1, ${ROWS}) g`,
  trade_decisions: `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
    select 'd' || g, 'CongressionalTradingStrategy', 'S' || (g % 500), 'buy', 1, 'market', 'executed', ${when}
    from generate_series(1, ${ROWS}) g`,
  trade_executions: `insert into trade_executions (execution_id, status, filled_quantity, created_at)
    select 'e' || g, 'rejected', 0, ${when} from generate_series(1, ${ROWS}) g`,
  positions: `insert into positions (account, symbol, quantity, avg_cost, status, opened_at)
    select 'PA-' || g, 'S' || g, 0, 1, 'open', ${when} from generate_series(1, ${ROWS}) g`,
};

// The database numbers events (seq's sequence); nothing hashes them as they are written.
const auditEvents = `insert into audit_events (log_type, event, actor, occurred_at)
  select 'SYSTEM', 'planner_row', 'test', ${when} from generate_series(1, ${ROWS}) g`;
const queryAuditLog = `insert into query_audit_log (request_id, role, duration_ms, outcome, started_at)
  select 'req-' || g, 'investigator', 1, 'ok', ${when} from generate_series(1, ${ROWS}) g`;

const admin = keyCaller({ id: '1', name: 'an admin', role: Role.admin, expiresAt: null }, 'test');

/** Every root list, the record type whose orders it offers, and the caller that may read it. */
const LISTS: { field: string; type: keyof typeof LIST_ORDERS; admin?: true }[] = [
  { field: 'ingestionRuns', type: 'IngestionRun' },
  { field: 'apiPayloads', type: 'ApiPayload' },
  { field: 'decisions', type: 'TradeDecision' },
  { field: 'executions', type: 'TradeExecution' },
  { field: 'positions', type: 'Position' },
  { field: 'auditEvents', type: 'AuditEvent' },
  { field: 'queryAuditLog', type: 'QueryAuditEntry', admin: true },
];

/**
 * The plan without its SubPlans: the per-row derivations a read model selects (a current
 * status, a position's lot, which sorts one position's few fills) are not how the page is read.
 */
function pagePart(plan: string): string {
  const kept: string[] = [];
  let skipping: number | null = null;
  for (const line of plan.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (skipping !== null && indent > skipping) continue;
    skipping = /^\s*SubPlan/.test(line) ? indent : null;
    if (skipping === null) kept.push(line);
  }
  return kept.join('\n');
}

/** The index an order is read from, as MikroORM names it. */
function indexOf(orders: ListOrders, name: string, table: string): string {
  const order = orders.orders.find((candidate) => candidate.name === name)!;
  return order.key.primary ? `${table}_pkey` : `${table}_${order.key.column}_${order.idColumn}_index`;
}

const cases = LISTS.flatMap((list) =>
  LIST_ORDERS[list.type].orders.filter((order) => order.indexed).map((order) => ({ ...list, order: order.name })),
);

describe(`orderBy reads every offered order from an index on ${ROWS.toLocaleString('en')} rows (EXPLAIN)`, () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const plans: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    await writePlannerRows(client, { ...fixtures, audit_events: auditEvents, query_audit_log: queryAuditLog });
    await client.query(
      'vacuum analyze data_ingestion_runs, api_payloads, trade_decisions, trade_executions, positions, audit_events, query_audit_log',
    );
  }, 300_000);
  afterAll(async () => {
    console.log(`EXPLAIN of each order's page:\n${plans.join('\n')}`);
    await client.end();
    await gateway.close();
  });

  /** The plan of the page statement of `field(args)`, and the page's end cursor. */
  async function pagePlan(list: (typeof LISTS)[number], args: string) {
    const query = `{ ${list.field}(first: 20, ${args}) { pageInfo { endCursor } } }`;
    const { result, sql, bindings } = await gateway.countStatements(() =>
      gateway.execute(query, {}, list.admin ? admin : undefined),
    );
    expect(result.errors).toBeUndefined();
    const index = sql.findIndex((statement) => /order by .* limit/is.test(statement));
    expect(index).toBeGreaterThanOrEqual(0);
    const { rows } = await client.query(`explain ${sql[index]}`, bindings[index]);
    const plan = pagePart(rows.map((row) => row['QUERY PLAN'] as string).join('\n'));
    return { plan, endCursor: (result.data as any)[list.field].pageInfo.endCursor as string };
  }

  it.each(cases)('$field(orderBy: $order): an index scan, no sort, on the first page and after a cursor', async (c) => {
    const table = tableNameOf((entities as Record<string, any>)[c.type]);
    const index = indexOf(LIST_ORDERS[c.type], c.order, table);
    const first = await pagePlan(c, `orderBy: ${c.order}`);
    const after = await pagePlan(c, `orderBy: ${c.order}, after: "${first.endCursor}"`);
    for (const { plan } of [first, after]) {
      expect(plan).toMatch(new RegExp(`Index (Only )?Scan( Backward)? using ${index} on ${table}`));
      expect(plan).not.toMatch(/Sort/);
      expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}`));
    }
    const scan = after.plan.split('\n').find((line) => line.includes(`using ${index} on ${table} n`)) ?? '';
    plans.push(`${c.field}(orderBy: ${c.order}) after a cursor: ${scan.trim().replace(/\s+\(cost.*$/, '')}`);
  });

  it("reads the query audit log's default order (started_at desc, ties by id) from its started_at index, sorting ties only", async () => {
    // No (started_at, id) index exists, so the planner walks started_at's index and sorts each instant's
    // ties by id (an Incremental Sort over a handful of rows per page), never the whole table.
    const { plan } = await pagePlan(
      LISTS.find((list) => list.type === 'QueryAuditEntry')!,
      '',
    );
    expect(plan).toMatch(/Index Scan Backward using query_audit_log_started_at_index/);
    expect(plan).toMatch(/Incremental Sort/);
    expect(plan).not.toMatch(/Seq Scan on query_audit_log/);
    plans.push(`queryAuditLog (default): ${plan.split('\n').slice(0, 3).join(' / ')}`);
  });
});
