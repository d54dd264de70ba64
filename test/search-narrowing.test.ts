import fc from 'fast-check';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';

// Two wordings that match "buying power" at different ranks, and one that does not.
const MESSAGES = ['insufficient buying power', 'buying power exceeded: buying power is 0', 'market is closed'];
const STATUSES = ['rejected', 'cancelled', 'filled'];
const SYMBOLS = ['AAPL', 'NVDA', 'TSLA'];
const EXECUTIONS = 60;
const DECISIONS = 30;

type Row = { kind: string; id: string; matches: boolean; [field: string]: unknown };

/** A narrowing of each kind, as search where: takes it, and the same condition in memory. */
const narrowing = fc.record({
  statuses: fc.option(fc.subarray(STATUSES, { minLength: 1 }), { nil: undefined }),
  minuteFrom: fc.option(fc.integer({ min: 0, max: EXECUTIONS }), { nil: undefined }),
  missingRequest: fc.option(fc.boolean(), { nil: undefined }),
  symbols: fc.option(fc.subarray(SYMBOLS, { minLength: 1 }), { nil: undefined }),
  logTypes: fc.option(fc.subarray(['TRADE', 'RISK'], { minLength: 1 }), { nil: undefined }),
  kinds: fc.subarray(['EXECUTION', 'DECISION', 'AUDIT_EVENT'], { minLength: 1 }),
  size: fc.integer({ min: 1, max: 9 }),
});
type Narrowing = typeof narrowing extends fc.Arbitrary<infer T> ? T : never;
const minute = (n: number) => `2026-10-01T14:${String(n).padStart(2, '0')}:00.000000Z`;

function whereOf(n: Narrowing): Record<string, unknown> {
  const execution: Record<string, unknown> = {};
  if (n.statuses) execution.status = { in: n.statuses };
  if (n.minuteFrom !== undefined) execution.createdAt = { gte: minute(n.minuteFrom) };
  if (n.missingRequest !== undefined) execution.missingRequestPayload = n.missingRequest;
  const where: Record<string, unknown> = {};
  if (n.kinds.includes('EXECUTION') && Object.keys(execution).length > 0) where.execution = execution;
  if (n.kinds.includes('DECISION') && n.symbols) where.decision = { symbol: { in: n.symbols } };
  if (n.kinds.includes('AUDIT_EVENT') && n.logTypes) where.auditEvent = { logType: { in: n.logTypes } };
  return where;
}
function holds(n: Narrowing, row: Row): boolean {
  if (!row.matches || !n.kinds.includes(row.kind)) return false;
  if (row.kind === 'EXECUTION')
    return (
      (!n.statuses || n.statuses.includes(row.status as string)) &&
      (n.minuteFrom === undefined || (row.minute as number) >= n.minuteFrom) &&
      (n.missingRequest === undefined || row.missingRequest === n.missingRequest)
    );
  if (row.kind === 'DECISION') return !n.symbols || n.symbols.includes(row.symbol as string);
  return !n.logTypes || n.logTypes.includes(row.logType as string);
}

describe('search(where:) narrows each kind: hits, totalCount and keyset pages agree with an in-memory filter', () => {
  let gateway: TestGateway;
  const rows: Row[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    await withClient(gateway.database.url, async (client) => {
      const payload = await client.query<{ id: string }>(
        `insert into api_payloads (direction, provider, endpoint, http_method, payload, payload_bytes)
         values ('request', 'alpaca', '/v2/orders', 'POST', '{}', 2) returning id::text`,
      );
      for (let i = 0; i < EXECUTIONS; i++) {
        const [message, status] = [MESSAGES[i % 3]!, STATUSES[Math.floor(i / 3) % 3]!];
        const missingRequest = i % 4 === 0;
        const { rows: inserted } = await client.query<{ id: string }>(
          `insert into trade_executions (execution_id, status, filled_quantity, error_message, api_request_payload_id,
             created_at) values ($1, $2, 0, $3, $4, $5) returning id::text`,
          [`e-${i}`, status, message, missingRequest ? null : payload.rows[0]!.id, minute(i)],
        );
        const id = inserted[0]!.id;
        rows.push({ kind: 'EXECUTION', id, matches: i % 3 !== 2, status, minute: i, missingRequest });
        const logType = i % 2 === 0 ? 'TRADE' : 'RISK';
        const { rows: event } = await client.query<{ seq: string }>(
          `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
           values ($1, 'order_rejected', $2, 'trade_executions', $3, 'broker-gateway', now()) returning seq::text`,
          [logType, { reason: message }, id],
        );
        rows.push({ kind: 'AUDIT_EVENT', id: event[0]!.seq, matches: i % 3 !== 2, logType });
      }
      for (let i = 0; i < DECISIONS; i++) {
        const symbol = SYMBOLS[i % 3]!;
        const { rows: inserted } = await client.query<{ id: string }>(
          `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status,
             decision_rationale) values ($1, 'Momentum', $2, 'buy', 1, 'market', 'executed', $3) returning id::text`,
          [`d-${i}`, symbol, { note: i % 2 === 0 ? 'checked buying power first' : 'no margin needed' }],
        );
        rows.push({ kind: 'DECISION', id: inserted[0]!.id, matches: i % 2 === 0, symbol });
      }
    });
  }, 120_000);
  afterAll(() => gateway.close());

  const query = /* GraphQL */ `
    query($w: SearchWhere, $k: [SearchKind!], $first: Int, $after: String, $last: Int, $before: String) {
      search(query: "buying power", kinds: $k, where: $w, first: $first, after: $after, last: $last, before: $before) {
        totalCount
        nodes { kind node { databaseId } auditEvent { seq } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
  const keyOf = (hit: any) => `${hit.kind}:${hit.kind === 'AUDIT_EVENT' ? hit.auditEvent.seq : hit.node.databaseId}`;

  it('walks every narrowed hit exactly once, forward and backward, as many as totalCount says', async () => {
    await fc.assert(
      fc.asyncProperty(narrowing, async (n) => {
        const variables = { w: whereOf(n), k: n.kinds };
        const forward: string[] = [];
        let total = -1;
        for (let after: string | null = null, more = true; more;) {
          const result: any = await gateway.execute(query, { ...variables, first: n.size, after });
          expect(result.errors).toBeUndefined();
          const page: any = result.data!.search;
          total = page.totalCount;
          forward.push(...page.nodes.map(keyOf));
          [after, more] = [page.pageInfo.endCursor, page.pageInfo.hasNextPage];
        }
        const backward: string[][] = [];
        for (let before: string | null = null, more = true; more;) {
          const page: any = (await gateway.execute(query, { ...variables, last: n.size, before })).data!.search;
          backward.unshift(page.nodes.map(keyOf));
          [before, more] = [page.pageInfo.startCursor, page.pageInfo.hasPreviousPage];
        }
        const expected = rows.filter((row) => holds(n, row)).map((row) => `${row.kind}:${row.id}`);
        expect([...forward].sort()).toEqual([...expected].sort());
        expect(backward.flat()).toEqual(forward);
        expect(total).toBe(expected.length);
      }),
      { numRuns: 25, seed: 18 },
    );
  }, 120_000);

  it('searches only the kinds where: names when kinds is not given, each event hit leading to its execution', async () => {
    const result = await gateway.execute(query, { w: { auditEvent: { logType: { eq: 'RISK' } } }, first: 50 });
    expect(result.errors).toBeUndefined();
    const hits = result.data!.search.nodes;
    expect(new Set(hits.map((hit: any) => hit.kind))).toEqual(new Set(['AUDIT_EVENT']));
    expect(hits).toHaveLength(
      rows.filter((row) => row.kind === 'AUDIT_EVENT' && row.matches && row.logType === 'RISK').length,
    );
    const executionIds = new Set(rows.filter((row) => row.kind === 'EXECUTION').map((row) => row.id));
    for (const hit of hits) expect(executionIds.has(hit.node.databaseId)).toBe(true);
  });

  it('answers a narrowed page in no more statements than an unnarrowed one', async () => {
    const count = async (w: unknown) =>
      (
        await gateway.countStatements(() =>
          gateway.execute(query, { w, k: ['EXECUTION', 'DECISION', 'AUDIT_EVENT'], first: 20 }),
        )
      ).statements;
    const narrowed = { execution: { status: { eq: 'rejected' } }, decision: { symbol: { eq: 'AAPL' } } };
    // The search, the page's events, one loader batch per node type, the count: never one per hit.
    const unnarrowed = await count(null);
    expect(unnarrowed).toBeLessThanOrEqual(5);
    expect(await count(narrowed)).toBeLessThanOrEqual(unnarrowed);
  });
});
