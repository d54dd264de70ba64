import fc from 'fast-check';
import pg from 'pg';
import { toGlobalId } from '../src/graphql/global-id';
import { encodeCursor } from '../src/graphql/pagination/cursor';
import { LIST_ORDERS, type ListOrder } from '../src/queries/list-order';
import { startTestGateway, type TestGateway } from './harness/gateway';

// Instants one microsecond apart, few enough that random rows tie on them often.
const INSTANTS = ['2026-03-01T10:00:00.000001Z', '2026-03-01T10:00:00.000002Z', '2026-03-01T10:00:00.000003Z'];

type Row = { id: string; instant: number };

/** The rows in `order`, sorted in memory: the order's column (an instant's index, or the id), then the id. */
function sortedIds(rows: Row[], order: ListOrder): string[] {
  const byId = (a: Row, b: Row) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);
  const ascending = [...rows].sort((a, b) => (order.key.primary ? 0 : a.instant - b.instant) || byId(a, b));
  return (order.direction === 'asc' ? ascending : ascending.reverse()).map((row) => row.id);
}

type Page = {
  totalCount: number;
  edges: { cursor: string; node: Record<string, string> }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};
/** A page's selection, its nodes named by `id` (databaseId; seq for audit events). */
const pageOf = (id = 'databaseId') =>
  `totalCount edges { cursor node { ${id} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const PAGE = pageOf();

/** Every row of a list, page by page, forward (`first/after`) or backward (`last/before`). */
async function pageThrough(
  read: (args: Record<string, unknown>) => Promise<Page>,
  size: number,
  forward: boolean,
  id = 'databaseId',
) {
  const ids: string[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page = await read(forward ? { first: size, after: cursor } : { last: size, before: cursor });
    const pageIds = page.edges.map((edge) => edge.node[id]!);
    if (forward) ids.push(...pageIds);
    else ids.unshift(...pageIds);
    cursors.push(...page.edges.map((edge) => edge.cursor));
    const more = forward ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return { ids, cursors, totalCount: page.totalCount };
    cursor = forward ? page.pageInfo.endCursor : page.pageInfo.startCursor;
  }
  throw new Error('paging did not end');
}

describe('orderBy: paging yields every row once, in the order an in-memory sort gives', () => {
  let gateway: TestGateway;
  let client: pg.Client;
  let batch = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await gateway.close();
  });

  /** A batch of decisions under a symbol of their own (rows are never deleted), one of them with executions. */
  async function writeBatch(decisions: number[], executions: { instant: number; rejected: boolean }[]) {
    const symbol = `OB${++batch}`;
    const written = await client.query<{ id: string; i: string }>(
      `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
       select $1 || '-' || i, 'OrderBy', $1, 'buy', 1, 'market', 'pending', t::timestamptz
       from unnest($2::text[]) with ordinality u(t, i) returning id::text, (decision_id) as i`,
      [symbol, decisions.map((instant) => INSTANTS[instant])],
    );
    const rows = written.rows.map((row) => ({ id: row.id, instant: decisions[Number(row.i.split('-')[1]) - 1]! }));
    const parent = rows[0]!.id;
    const children = await client.query<{ id: string; i: string }>(
      `insert into trade_executions (execution_id, status, filled_quantity, trade_decision_id, created_at)
       select $1 || '-e' || i, case when r then 'rejected' else 'filled' end, case when r then 0 else 1 end, $2, t::timestamptz
       from unnest($3::text[], $4::boolean[]) with ordinality u(t, r, i) returning id::text, execution_id as i`,
      [symbol, parent, executions.map((e) => INSTANTS[e.instant]), executions.map((e) => e.rejected)],
    );
    const childRows = children.rows.map((row) => {
      const written = executions[Number(row.i.split('-e')[1]) - 1]!;
      return { id: row.id, instant: written.instant, rejected: written.rejected };
    });
    return { symbol, rows, parent, childRows };
  }

  const instants = fc.integer({ min: 0, max: INSTANTS.length - 1 });
  const orderOf = (names: readonly ListOrder[]) => fc.constantFrom(...names);

  it('on the decisions root list, every order, page size and direction', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(instants, { minLength: 0, maxLength: 12 }),
        orderOf(LIST_ORDERS.TradeDecision.orders),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        async (decisions, order, size, forward) => {
          if (decisions.length === 0) decisions = [0];
          const { symbol, rows } = await writeBatch(decisions, []);
          const read = async (args: Record<string, unknown>) => {
            const result = await gateway.execute(
              `query($symbol: String, $order: TradeDecisionOrder, $first: Int, $after: String, $last: Int, $before: String) {
                decisions(where: { symbol: { eq: $symbol } }, orderBy: $order, first: $first, after: $after, last: $last, before: $before) { ${PAGE} } }`,
              { symbol, order: order.name, ...args },
            );
            expect(result.errors).toBeUndefined();
            return result.data!.decisions as Page;
          };
          const paged = await pageThrough(read, size, forward);
          expect(paged.ids).toEqual(sortedIds(rows, order));
          expect(paged.totalCount).toBe(rows.length);
          // A cursor of this order is refused in every other.
          const other = LIST_ORDERS.TradeDecision.orders.find((candidate) => candidate !== order)!;
          const refused = await gateway.execute(
            `query($c: String, $o: TradeDecisionOrder) { decisions(orderBy: $o, after: $c) { totalCount } }`,
            { c: paged.cursors[0], o: other.name },
          );
          expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
          expect(refused.errors?.[0]?.message).toMatch(/not in order/);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("on a decision's executions, with and without a where:, every order, page size and direction", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ instant: instants, rejected: fc.boolean() }), { minLength: 0, maxLength: 12 }),
        orderOf(LIST_ORDERS.TradeExecution.orders),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.boolean(),
        async (executions, order, size, forward, onlyRejected) => {
          const { parent, childRows } = await writeBatch([0], executions);
          const where = onlyRejected ? { status: { eq: 'rejected' } } : null;
          const read = async (args: Record<string, unknown>) => {
            const result = await gateway.execute(
              `query($id: ID, $where: TradeExecutionWhere, $order: TradeExecutionOrder, $first: Int, $after: String, $last: Int, $before: String) {
                decision(id: $id) { executions(where: $where, orderBy: $order, first: $first, after: $after, last: $last, before: $before) { ${PAGE} } } }`,
              { id: toGlobalId('TradeDecision', parent), where, order: order.name, ...args },
            );
            expect(result.errors).toBeUndefined();
            return result.data!.decision.executions as Page;
          };
          const expected = childRows.filter((row) => !onlyRejected || row.rejected);
          const paged = await pageThrough(read, size, forward);
          expect(paged.ids).toEqual(sortedIds(expected, order));
          expect(paged.totalCount).toBe(expected.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  /** Events of a batch of their own, about one decision, at random instants: their seq order is not their time order. */
  async function writeEvents(instants: number[]) {
    const { rows: decisions, symbol } = await writeBatch([0], []);
    const written = await client.query<{ seq: string; external_id: string }>(
      `insert into audit_events (log_type, event, actor, occurred_at, subject_table, subject_id, external_id)
       select 'SYSTEM', $1, 'test', t::timestamptz, 'trade_decisions', $2, $1 || '-' || i
       from unnest($3::text[]) with ordinality u(t, i) returning seq::text, external_id`,
      [symbol, decisions[0]!.id, instants.map((instant) => INSTANTS[instant])],
    );
    const rows = written.rows.map((row) => ({
      id: row.seq,
      instant: instants[Number(row.external_id.split('-')[1]) - 1]!,
    }));
    return { event: symbol, decision: decisions[0]!.id, rows };
  }

  it("on audit events, by the chain's seq or by occurrence, as the root list and as a node's events", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(instants, { minLength: 1, maxLength: 10 }),
        orderOf(LIST_ORDERS.AuditEvent.orders),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (occurred, order, size, forward) => {
          const { event, decision, rows } = await writeEvents(occurred);
          const where = { event: { eq: event } };
          const root = async (args: Record<string, unknown>) => {
            const result = await gateway.execute(
              `query($where: AuditEventWhere, $order: AuditEventOrder, $first: Int, $after: String, $last: Int, $before: String) {
                auditEvents(where: $where, orderBy: $order, first: $first, after: $after, last: $last, before: $before) { ${pageOf('seq')} } }`,
              { where, order: order.name, ...args },
            );
            expect(result.errors).toBeUndefined();
            return result.data!.auditEvents as Page;
          };
          const own = async (args: Record<string, unknown>) => {
            const result = await gateway.execute(
              `query($id: ID, $where: AuditEventWhere, $order: AuditEventOrder, $first: Int, $after: String, $last: Int, $before: String) {
                decision(id: $id) { events(where: $where, orderBy: $order, first: $first, after: $after, last: $last, before: $before) { ${pageOf('seq')} } } }`,
              { id: toGlobalId('TradeDecision', decision), where, order: order.name, ...args },
            );
            expect(result.errors).toBeUndefined();
            return result.data!.decision.events as Page;
          };
          for (const read of [root, own]) {
            const paged = await pageThrough(read, size, forward, 'seq');
            expect(paged.ids).toEqual(sortedIds(rows, order));
            expect(paged.totalCount).toBe(rows.length);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("keeps today's cursors, which name no order, valid for the default order and refuses them in another", async () => {
    const { symbol, rows } = await writeBatch([2, 1, 0], []);
    const [newest] = sortedIds(rows, LIST_ORDERS.TradeDecision.rootDefault);
    // The form every cursor had before orderBy: the list and the id.
    const legacy = encodeCursor('TradeDecision', newest!);
    expect(legacy).toBe(Buffer.from(`cursor:v1:TradeDecision:${newest}`).toString('base64url'));
    const query = `query($s: String, $c: String, $o: TradeDecisionOrder) {
      decisions(where: { symbol: { eq: $s } }, orderBy: $o, after: $c) { nodes { databaseId } edges { cursor } } }`;
    const implicit = await gateway.execute(query, { s: symbol, c: legacy });
    const explicit = await gateway.execute(query, { s: symbol, c: legacy, o: 'CREATED_AT_DESC' });
    expect(implicit.errors).toBeUndefined();
    expect(explicit.data).toEqual(implicit.data);
    expect(implicit.data!.decisions.nodes.map((node: { databaseId: string }) => node.databaseId)).toEqual(
      sortedIds(rows, LIST_ORDERS.TradeDecision.rootDefault).slice(1),
    );
    // The default order's cursors keep the old form.
    expect(implicit.data!.decisions.edges[0].cursor).toBe(
      encodeCursor('TradeDecision', implicit.data!.decisions.nodes[0].databaseId),
    );
    const refused = await gateway.execute(query, { s: symbol, c: legacy, o: 'CREATED_AT_ASC' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(
      /a TradeDecision list in its default order, not in order CREATED_AT_ASC/,
    );
  });
});
