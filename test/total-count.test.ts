import fc from 'fast-check';
import pg from 'pg';
import { Role } from '../src/auth/roles';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'] as const;
const STRATEGIES = ['Momentum', 'Congress'] as const;
const SIGNALS = ['buy_signal', 'sell_signal'] as const;
const TRADES = 24;

/** Trade `index` of the seeded set: its symbol, strategy, signal and number of executions follow from the index. */
const shapeOf = (index: number) => ({
  symbol: SYMBOLS[index % 3]!,
  strategy: STRATEGIES[index % 2]!,
  signal: SIGNALS[Math.floor(index / 4) % 2]!,
  executionCount: index % 4,
  inputCount: 1 + (index % 3),
  pending: index % 5 === 0,
});

async function seedTrades(gateway: { database: { url: string } }, em: () => any): Promise<TradeFixture[]> {
  const trades: TradeFixture[] = [];
  for (let index = 0; index < TRADES; index++) {
    const shape = shapeOf(index);
    const trade = await createTrade(em(), {
      executionCount: shape.executionCount,
      inputCount: shape.inputCount,
      symbol: shape.symbol,
      strategy: shape.strategy,
      adjust: ({ decision }) => {
        decision.decisionRationale = { signal: shape.signal, score: index / 100 };
      },
    });
    // The status filter goes through the derived current status: some decisions are pending again.
    if (shape.pending)
      await appendStatusChange(gateway.database.url, {
        table: 'trade_decisions',
        id: trade.decision.databaseId,
        to: 'pending',
      });
    trades.push(trade);
  }
  return trades;
}

const decisionsPage = /* GraphQL */ `
  query Decisions($filter: TradeDecisionFilter, $first: Int, $after: String, $last: Int, $before: String) {
    decisions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { databaseId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('totalCount: the number of items of the whole list under its filter', () => {
  let gateway: TestGateway;
  let trades: TradeFixture[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    trades = await seedTrades(gateway, () => gateway.orm.em.fork());
  });
  afterAll(() => gateway.close());

  async function decisions(variables: Record<string, unknown>) {
    const result = await gateway.execute(decisionsPage, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.decisions;
  }

  const filterArbitrary = fc.record(
    {
      symbol: fc.constantFrom(...SYMBOLS, 'NONE'),
      strategy: fc.constantFrom(...STRATEGIES),
      status: fc.constantFrom('pending', 'executed', 'failed'),
      rationale: fc.constantFrom(...SIGNALS).map((signal) => ({ contains: { signal } })),
    },
    { requiredKeys: [] },
  );

  it('equals the number of nodes paged through, and is the same on every page, for any page and filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        filterArbitrary,
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 0, max: 10 }),
        async (filter, size, cursorPick, forward, pageSize) => {
          // Every page forward, each with its totalCount.
          const walked: string[] = [];
          const counts: number[] = [];
          const cursors: string[] = [];
          let after: string | null = null;
          for (let step = 0; step <= TRADES; step++) {
            const page: any = await decisions({ filter, first: size, after });
            counts.push(page.totalCount);
            for (const edge of page.edges) {
              walked.push(edge.node.databaseId);
              cursors.push(edge.cursor);
            }
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor;
          }
          expect(new Set(walked).size).toBe(walked.length);
          expect(counts).toEqual(counts.map(() => walked.length));
          // A page anywhere in the list, either way, from a real cursor: the same count.
          const cursor = cursors.length > 0 ? cursors[cursorPick % cursors.length]! : null;
          const page: any = await decisions(
            forward ? { filter, first: pageSize, after: cursor } : { filter, last: pageSize, before: cursor },
          );
          expect(page.totalCount).toBe(walked.length);
          expect(page.edges.length).toBeLessThanOrEqual(pageSize);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matches the seeded set for the filters a model can compute', async () => {
    const expected = (match: (index: number) => boolean) =>
      Array.from({ length: TRADES }, (_, index) => index).filter(match).length;
    expect((await decisions({})).totalCount).toBe(TRADES);
    expect((await decisions({ filter: { symbol: 'MSFT' } })).totalCount).toBe(
      expected((index) => shapeOf(index).symbol === 'MSFT'),
    );
    expect((await decisions({ filter: { status: 'pending', strategy: 'Momentum' } })).totalCount).toBe(
      expected((index) => shapeOf(index).pending && shapeOf(index).strategy === 'Momentum'),
    );
    expect((await decisions({ filter: { rationale: { contains: { signal: 'sell_signal' } } } })).totalCount).toBe(
      expected((index) => shapeOf(index).signal === 'sell_signal'),
    );
  });

  it("counts a node's own lists, audit-event lists and search hits", async () => {
    const trade = trades[7]!;
    const result = await gateway.execute(
      `query($position: ID!, $decision: ID!) {
        position(id: $position) { executions(first: 1) { totalCount } events(first: 0) { totalCount } }
        decision(id: $decision) { inputs(first: 1) { totalCount } events { totalCount } }
        node(id: $position) { ... on Position { executions(last: 1) { totalCount } } }
        search(query: "buy_signal", first: 1) { totalCount }
      }`,
      { position: trade.position.nodeId, decision: trade.decision.nodeId },
    );
    expect(result.errors).toBeUndefined();
    const rows = await gateway.orm.em.getConnection().execute<{ position: string; decision: string }[]>(
      `select (select count(*) from audit_events where subject_table = 'positions' and subject_id = ?) as position,
          (select count(*) from audit_events where subject_table = 'trade_decisions' and subject_id = ?) as decision`,
      [trade.position.databaseId, trade.decision.databaseId],
    );
    expect(result.data).toEqual({
      position: {
        executions: { totalCount: shapeOf(7).executionCount },
        events: { totalCount: Number(rows[0]!.position) },
      },
      decision: { inputs: { totalCount: shapeOf(7).inputCount }, events: { totalCount: Number(rows[0]!.decision) } },
      node: { executions: { totalCount: shapeOf(7).executionCount } },
      search: { totalCount: expect.any(Number) },
    });
    const hits: any = await gateway.execute(
      `{ search(query: "buy_signal", first: 100) { totalCount nodes { kind } } }`,
    );
    expect(hits.errors).toBeUndefined();
    expect(hits.data.search.totalCount).toBe(hits.data.search.nodes.length);
    expect(hits.data.search.totalCount).toBeGreaterThan(0);
  });

  describe('statements', () => {
    it('a root list with totalCount is its page statement and one count(*) under the same conditions', async () => {
      const page = `decisions(first: 3, filter: { symbol: "MSFT", status: executed }) { nodes { databaseId } }`;
      const without = await gateway.countStatements(() => gateway.execute(`{ ${page} }`));
      const withCount = await gateway.countStatements(() =>
        gateway.execute(`{ decisions(first: 3, filter: { symbol: "MSFT", status: executed }) {
          nodes { databaseId } totalCount alias: totalCount } }`),
      );
      expect(withCount.result.errors).toBeUndefined();
      expect(withCount.statements).toBe(without.statements + 1);
      const count = withCount.sql.find((statement) => /count\(\*\)/.test(statement))!;
      // The filter and the derived status, not the page's order or limit.
      expect(count).toMatch(/"n"\."symbol" = 'MSFT'/);
      expect(count).toMatch(/event_data ->> 'to'/);
      expect(count).not.toMatch(/order by "n"|limit 4/);
      expect(withCount.result.data!.decisions.totalCount).toBe(withCount.result.data!.decisions.alias);
    });

    it('a page without totalCount runs no count', async () => {
      const { sql } = await gateway.countStatements(() =>
        gateway.execute(`{ positions(first: 20) { nodes { executions(first: 2) { nodes { databaseId } } } } }`),
      );
      expect(sql.filter((statement) => /count\(\*\)/.test(statement))).toEqual([]);
    });

    it("a level of 20 parents' executions and events are counted in one statement each", async () => {
      const level = (count: string) => `{ positions(first: 20) { nodes { databaseId
        executions(first: 2) { nodes { databaseId } ${count} } events(first: 1) { nodes { seq } ${count} } } } }`;
      const without = await gateway.countStatements(() => gateway.execute(level('')));
      const withCount = await gateway.countStatements(() => gateway.execute(level('totalCount')));
      expect(withCount.result.errors).toBeUndefined();
      expect(withCount.statements).toBe(without.statements + 2);
      const counts = withCount.sql.filter((statement) => /group by c\.parent_id/.test(statement));
      expect(counts).toHaveLength(2);
      const positions = withCount.result.data!.positions.nodes;
      expect(positions).toHaveLength(20);
      const executionsOf = new Map(trades.map((trade, index) => [trade.position.databaseId, shapeOf(index)]));
      for (const position of positions)
        expect(position.executions.totalCount).toBe(executionsOf.get(position.databaseId)!.executionCount);
    });

    it('a read-ahead lookup with nested totalCounts answers them, one count statement per counted level', async () => {
      const trade = trades[11]!;
      const lookup = (counted: boolean) => {
        const count = counted ? 'totalCount' : '__typename';
        return `query($id: ID!) { decision(id: $id) {
        inputs(first: 1) { ${count} nodes { databaseId executions { ${count} nodes { databaseId } } } }
        executions(first: 2) { ${count} nodes { position { databaseId executions { ${count} } } } }
      } }`;
      };
      const variables = { id: trade.decision.nodeId };
      const without = await gateway.countStatements(() => gateway.execute(lookup(false), variables));
      const withCount = await gateway.countStatements(() => gateway.execute(lookup(true), variables));
      expect(withCount.result.errors).toBeUndefined();
      // The read-ahead still reads every page in its one statement; the counts add one statement per level counted.
      expect(withCount.statements).toBe(without.statements + 4);
      const decision = withCount.result.data!.decision;
      const shape = shapeOf(11);
      expect(decision.inputs.totalCount).toBe(shape.inputCount);
      expect(decision.inputs.nodes[0].executions.totalCount).toBe(0);
      expect(decision.executions.totalCount).toBe(shape.executionCount);
      for (const execution of decision.executions.nodes)
        expect(execution.position.executions.totalCount).toBe(shape.executionCount);
    });
  });

  describe('cost', () => {
    it('refuses 200 counts (an alias bomb of totalCounts) with QUERY_TOO_COSTLY', async () => {
      // Aliases are limited to 30 by the document limits, so the 200 counts come as 20 aliases of 10 lists each.
      const bomb = Array.from(
        { length: 20 },
        (_, index) => `a${index}: positions(first: 10) { nodes { executions(first: 1) { totalCount } } }`,
      ).join(' ');
      const result = await gateway.execute(`{ ${bomb} }`);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
      expect(result.data).toBeUndefined();
    });

    it('counts a connection once however many aliases of totalCount it has, and not when unselected', async () => {
      const without = Array.from(
        { length: 20 },
        (_, index) => `a${index}: positions(first: 10) { nodes { executions(first: 1) { nodes { id } } } }`,
      ).join(' ');
      expect((await gateway.execute(`{ ${without} }`)).errors).toBeUndefined();
      const aliases = Array.from({ length: 25 }, (_, index) => `c${index}: totalCount`).join(' ');
      const fragment = `fragment Counted on TradeDecisionConnection { totalCount }`;
      const { result, sql } = await gateway.countStatements(() =>
        gateway.execute(`{ decisions(first: 1) { ${aliases} ...Counted } } ${fragment}`),
      );
      expect(result.errors).toBeUndefined();
      // Aliases of one page's totalCount share its one count.
      expect(sql.filter((statement) => /count\(\*\)/.test(statement))).toHaveLength(1);
      expect(result.data!.decisions.c24).toBe(TRADES);
    });
  });
});

describe('totalCount past the statement timeout', () => {
  let gateway: HttpTestGateway;
  let secret: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ statementTimeoutMs: 1000, rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
    await createTrade(gateway.writer.em.fork(), { executionCount: 1 });
  });
  afterAll(() => gateway.close());

  it('fails the totalCount field with QUERY_TIMEOUT and the page still answers', async () => {
    const url = gateway.database.url;
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await Promise.all([first.connect(), second.connect(), watcher.connect()]);
    const waitingFor = async (mode: string) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const { rows } = await watcher.query(
          `select 1 from pg_locks where relation = 'trade_decisions'::regclass and mode = $1 and not granted`,
          [mode],
        );
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`nothing waited for ${mode} on trade_decisions`);
    };
    try {
      // The page's statement waits behind the first lock; a second exclusive lock queues behind the page, so it
      // is taken the moment the page's statement ends, and the count that follows waits past the timeout.
      await first.query('begin');
      await first.query('lock table trade_decisions in access exclusive mode');
      const answer = gateway.post({ query: '{ decisions(first: 1) { nodes { symbol } totalCount } }' }, { secret });
      await waitingFor('AccessShareLock');
      await second.query('begin');
      const secondLock = second.query('lock table trade_decisions in access exclusive mode');
      await waitingFor('AccessExclusiveLock');
      await first.query('commit');
      await secondLock;
      const { json } = await answer;
      expect(json.data).toEqual({ decisions: { nodes: [{ symbol: 'NVDA' }], totalCount: null } });
      expect(json.errors).toHaveLength(1);
      expect(json.errors[0]).toMatchObject({
        path: ['decisions', 'totalCount'],
        extensions: { code: 'QUERY_TIMEOUT' },
      });
      expect(json.errors[0].message).toMatch(/statement timeout/);
    } finally {
      await first.query('rollback').catch(() => undefined);
      await second.query('rollback').catch(() => undefined);
      await Promise.all([first.end(), second.end(), watcher.end()]);
    }
  });
});
