import { Role } from '../src/auth/roles';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'];

async function seed(em: () => any, databaseUrl: string): Promise<TradeFixture[]> {
  const trades: TradeFixture[] = [];
  for (let index = 0; index < 9; index++) {
    const trade = await createTrade(em(), {
      executionCount: index % 3,
      inputCount: 1 + (index % 2),
      symbol: SYMBOLS[index % 3],
      strategy: index % 2 ? 'Momentum' : 'Congress',
    });
    trades.push(trade);
  }
  await appendStatusChange(databaseUrl, { table: 'trade_decisions', id: trades[0]!.decision.databaseId, to: 'failed' });
  return trades;
}

const ids = (connection: { nodes: { databaseId: string }[] }) => connection.nodes.map((node) => node.databaseId).sort();

describe('where: on every root list', () => {
  let gateway: TestGateway;
  let trades: TradeFixture[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    trades = await seed(() => gateway.orm.em.fork(), gateway.database.url);
  });
  afterAll(() => gateway.close());

  it('narrows each list by its own columns, the derived status and JSON', async () => {
    const result = await gateway.execute(`{
      ingestionRuns(first: 100, where: { recordsFetched: { gte: 2 }, metadata: { hasKey: "trigger" } }) { totalCount }
      apiPayloads(first: 100, where: { httpStatus: { in: [201] }, direction: { eq: response } }) { totalCount }
      decisions(first: 100, where: { status: { eq: failed } }) { nodes { databaseId status } }
      executions(first: 100, where: { filledQuantity: { gt: "10.49999999" }, status: { ne: rejected } }) { totalCount }
      positions(first: 100, where: { status: { in: [open] }, symbol: { startsWith: "AA" } }) { totalCount }
      auditEvents(first: 100, where: { event: { eq: "status_changed" } }) { totalCount }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data!;
    const executions = trades.reduce((sum, trade) => sum + trade.executions.length, 0);
    expect(data.ingestionRuns.totalCount).toBe(trades.filter((_, index) => 1 + (index % 2) >= 2).length);
    expect(data.apiPayloads.totalCount).toBe(executions);
    // The written status is executed: only the appended change makes it failed.
    expect(data.decisions.nodes).toEqual([{ databaseId: trades[0]!.decision.databaseId, status: 'failed' }]);
    expect(data.executions.totalCount).toBe(executions);
    expect(data.positions.totalCount).toBe(3);
    expect(data.auditEvents.totalCount).toBe(1);
  });

  it('applies filter: and where: together (both must hold), and the deprecated filter: alone as before', async () => {
    const result = await gateway.execute(`{
      both: decisions(first: 100, filter: { symbol: "AAPL" }, where: { strategy: { eq: "Momentum" } }) { nodes { databaseId } }
      filterOnly: decisions(first: 100, filter: { symbol: "AAPL" }) { nodes { databaseId } }
    }`);
    expect(result.errors).toBeUndefined();
    const pick = (keep: (index: number) => boolean) =>
      trades
        .filter((_, index) => keep(index))
        .map((trade) => trade.decision.databaseId)
        .sort();
    expect(ids(result.data!.both)).toEqual(pick((index) => index % 3 === 0 && index % 2 === 1));
    expect(ids(result.data!.filterOnly)).toEqual(pick((index) => index % 3 === 0));
  });

  it.each([
    ['an empty operator object', { symbol: {} }, 9],
    ['an empty where', {}, 9],
    ['an empty in (matches nothing)', { symbol: { in: [] } }, 0],
    ['an empty notIn (no condition)', { symbol: { notIn: [] } }, 9],
    ['an empty and (no condition)', { and: [] }, 9],
    ['an empty or (matches nothing)', { or: [] }, 0],
    ['not of nothing (matches nothing)', { not: {} }, 0],
    ['a null operator (not given)', { symbol: { eq: null } }, 9],
    ['not of a null comparison: comparisons never match null', { not: { limitPrice: { eq: '1' } } }, 9],
    ['isNull', { limitPrice: { isNull: true } }, 9],
    ['a 200-branch or', { or: Array.from({ length: 200 }, (_, i) => ({ symbol: { eq: `S${i}` } })) }, 0],
  ])('%s', async (_what, where, count) => {
    const result = await gateway.execute(`query($w: TradeDecisionWhere) { decisions(where: $w) { totalCount } }`, {
      w: where,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.decisions.totalCount).toBe(count);
  });

  it('a where-filtered page is one statement, and one more with totalCount', async () => {
    const query = (count: string) =>
      `{ decisions(first: 3, where: { or: [{ symbol: { in: ["AAPL", "MSFT"] } }, { status: { eq: failed } }] })
         { nodes { databaseId } ${count} } }`;
    const without = await gateway.countStatements(() => gateway.execute(query('')));
    const withCount = await gateway.countStatements(() => gateway.execute(query('totalCount')));
    expect(without.result.errors).toBeUndefined();
    expect(without.statements).toBe(1);
    expect(withCount.statements).toBe(2);
  });

  it('takes values as values, never as SQL', async () => {
    const result = await gateway.execute(`query($w: TradeDecisionWhere) { decisions(where: $w) { totalCount } }`, {
      w: { or: [{ symbol: { eq: "x' or '1'='1" } }, { strategy: { contains: "') or true --" } }] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.decisions.totalCount).toBe(0);
  });
});

describe('where: refuses malformed input with BAD_USER_INPUT naming the argument', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  const query = 'query($w: TradeDecisionWhere) { decisions(first: 1, where: $w) { nodes { databaseId } } }';
  const nest = (depth: number): Record<string, unknown> =>
    depth === 0 ? { symbol: { eq: 'AAPL' } } : { not: nest(depth - 1) };

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  it.each([
    ['a number for a text', { symbol: { eq: 5 } }, 400, /String cannot represent/, undefined],
    ['a float for a Decimal', { quantity: { gt: 1.5 } }, 400, /Decimal must be a string/, undefined],
    ['an instant out of range', { createdAt: { gte: '10000-01-01T00:00:00Z' } }, 400, /DateTime/, undefined],
    ['an unknown operator', { symbol: { like: 'A%' } }, 400, /like/, undefined],
    ['an unknown field', { nope: { eq: 'x' } }, 400, /nope/, undefined],
    [
      'an in of 10,000 values',
      { symbol: { in: Array.from({ length: 10_000 }, (_, i) => `S${i}`) } },
      200,
      /at most 1000/,
      'where.symbol.in',
    ],
    ['nesting 50 deep', nest(50), 200, /deeper than 10 levels/, 'where.not.not.not.not.not.not.not.not.not.not'],
    [
      'an invalid JSON path inside an or',
      { or: [{ decisionRationale: { jsonPath: '$.score >>> 1' } }] },
      200,
      /not a valid SQL\/JSON path/,
      'where.or.0.decisionRationale.jsonPath',
    ],
    ['an ilike ending in an escape', { symbol: { ilike: 'A\\' } }, 200, /unescaped/, 'where.symbol.ilike'],
    [
      '200 branches of 100 values each',
      { or: Array.from({ length: 200 }, () => ({ symbol: { in: Array.from({ length: 100 }, (_, i) => `S${i}`) } })) },
      200,
      /more than 5000 values/,
      'where.or.50.symbol.in',
    ],
  ])('%s', async (_what, where, status, message, argument) => {
    const answer = await gateway.post({ query, variables: { w: where } }, { secret });
    expect(answer.status).toBe(status);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.json.errors[0].message).toMatch(message);
    if (argument) expect(answer.json.errors[0].extensions.argument).toBe(argument);
    // Nothing else breaks: the next request is answered.
    const next = await gateway.post({ query, variables: { w: { symbol: { eq: 'AAPL' } } } }, { secret });
    expect(next.json.errors).toBeUndefined();
  });
});

describe('where: on the query audit log (admin)', () => {
  let gateway: HttpTestGateway;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
  });
  afterAll(() => gateway.close());

  it('narrows entries by outcome, a Float and a text operator', async () => {
    const investigator = await gateway.keyFor(Role.investigator);
    const admin = await gateway.keyFor(Role.admin);
    await gateway.post({ query: '{ decisions(first: 1) { nodes { databaseId } } }' }, { secret: investigator });
    await gateway.post({ query: '{ decisions(first: 1 { nodes } }' }, { secret: investigator });
    const answer = await gateway.post(
      {
        query: `{
          rejected: queryAuditLog(where: { outcome: { eq: rejected }, durationMs: { gte: 0 } }) { totalCount }
          ok: queryAuditLog(where: { outcome: { in: [ok] }, role: { eq: "investigator" } }) { totalCount }
          none: queryAuditLog(where: { durationMs: { lt: 0 } }) { totalCount }
        }`,
      },
      { secret: admin },
    );
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data).toEqual({ rejected: { totalCount: 1 }, ok: { totalCount: 1 }, none: { totalCount: 0 } });
  });
});

describe("where: on a position's quantity reads it from its fills", () => {
  let gateway: TestGateway;
  let trade: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Written with an opening quantity its two fills (10.5 each, bought) then bring to 21.
    trade = await createTrade(gateway.orm.em.fork(), {
      executionCount: 2,
      adjust: ({ position }) => (position.quantity = '1.00000000'),
    });
  });
  afterAll(() => gateway.close());

  it('matches the derived quantity, not the written one', async () => {
    const result = await gateway.execute(`{
      derived: positions(where: { quantity: { eq: "21" } }) { nodes { databaseId quantity } }
      written: positions(where: { quantity: { eq: "1" } }) { totalCount }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.derived.nodes).toEqual([{ databaseId: trade.position.databaseId, quantity: '21.00000000' }]);
    expect(result.data!.written.totalCount).toBe(0);
  });
});
