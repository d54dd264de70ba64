import { Role } from '../src/auth/roles';
import { ExecutionStatus } from '../src/entities/trade-execution.entity';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

/** Trades of one symbol, each with three executions (the first rejected) and two inputs, and two status changes. */
async function seedSymbol(gateway: TestGateway, symbol: string, count: number): Promise<TradeFixture[]> {
  const trades: TradeFixture[] = [];
  for (let index = 0; index < count; index++) {
    const trade = await createTrade(gateway.orm.em.fork(), {
      executionCount: 3,
      inputCount: 2,
      symbol,
      adjust: ({ executions }) => {
        executions[0]!.status = ExecutionStatus.rejected;
      },
    });
    for (const to of ['failed', 'cancelled'])
      await appendStatusChange(gateway.database.url, { table: 'trade_decisions', id: trade.decision.databaseId, to });
    trades.push(trade);
  }
  return trades;
}

const byIdDesc = (ids: string[]) => [...ids].sort((a, b) => Number(BigInt(b) - BigInt(a)));

describe("where: and orderBy: on a node's own lists cost one statement per query level", () => {
  let gateway: TestGateway;
  let few: TradeFixture[];
  let many: TradeFixture[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    few = await seedSymbol(gateway, 'FEW', 2);
    many = await seedSymbol(gateway, 'MANY', 8);
  });
  afterAll(() => gateway.close());

  const query = `query($symbol: String) {
    decisions(first: 20, where: { symbol: { eq: $symbol } }, orderBy: ID_ASC) { nodes {
      databaseId
      executions(where: { status: { eq: filled } }, orderBy: CREATED_AT_DESC) {
        totalCount nodes { databaseId position { databaseId } } }
      inputs(orderBy: ID_DESC) { totalCount nodes { databaseId ingestionRun { databaseId } } }
      events(where: { event: { eq: "status_changed" } }, orderBy: SEQ_DESC, first: 1) { totalCount nodes { event } }
    } } }`;

  it('answers each parent its own filtered, ordered page and count, in as many statements for 8 parents as for 2', async () => {
    const counted = [];
    for (const [symbol, trades] of [
      ['FEW', few],
      ['MANY', many],
    ] as const) {
      const { result, statements } = await gateway.countStatements(() => gateway.execute(query, { symbol }));
      expect(result.errors).toBeUndefined();
      const nodes = result.data!.decisions.nodes;
      expect(nodes.map((node: any) => node.databaseId)).toEqual(trades.map((trade) => trade.decision.databaseId));
      nodes.forEach((node: any, index: number) => {
        const trade = trades[index]!;
        // Filled ones only, newest first: the executions were written oldest first, one a microsecond after another.
        const filled = trade.executions.slice(1).map((execution) => execution.id);
        expect(node.executions.totalCount).toBe(2);
        expect(node.executions.nodes.map((execution: any) => execution.databaseId)).toEqual([...filled].reverse());
        expect(node.executions.nodes[0].position.databaseId).toBe(trade.position.id);
        expect(node.inputs.totalCount).toBe(2);
        expect(node.inputs.nodes.map((input: any) => input.databaseId)).toEqual(
          byIdDesc(trade.inputs.map((input) => input.id)),
        );
        expect(node.inputs.nodes[0].ingestionRun.databaseId).toBe(trade.run.id);
        expect(node.events).toEqual({ totalCount: 2, nodes: [{ event: 'status_changed' }] });
      });
      counted.push(statements);
    }
    // The root page; the read-ahead of inputs (its orderBy carried) and their runs; executions and
    // events (a where: is left to their loaders) with a count each; the executions' positions; the
    // inputs' count.
    expect(counted[1]).toBe(counted[0]);
    expect(counted[0]).toBeLessThanOrEqual(8);
  });

  it('reads ordered lists below a lookup ahead, in the one statement of the lookup', async () => {
    const trade = many[3]!;
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute(
        `query($id: ID!) { decision(id: $id) {
          inputs(orderBy: ID_DESC, first: 1) { nodes { databaseId ingestionRun { databaseId } } }
          executions(orderBy: CREATED_AT_DESC, first: 2) { nodes { databaseId position { databaseId } } }
        } }`,
        { id: trade.decision.nodeId },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(1);
    expect(result.data!.decision.inputs.nodes[0].databaseId).toBe(byIdDesc(trade.inputs.map((input) => input.id))[0]);
    expect(result.data!.decision.executions.nodes.map((execution: any) => execution.databaseId)).toEqual(
      trade.executions
        .map((execution) => execution.id)
        .reverse()
        .slice(0, 2),
    );
  });
});

describe("orderBy: and a node's own where: refuse malformed input over HTTP", () => {
  let gateway: HttpTestGateway;
  let secret: string;
  let trade: TradeFixture;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
    trade = await createTrade(gateway.writer.em.fork(), { executionCount: 3, inputCount: 2 });
  });
  afterAll(() => gateway.close());

  const healthy = async () => {
    const next = await gateway.post({ query: '{ decisions(orderBy: CREATED_AT_ASC) { totalCount } }' }, { secret });
    expect(next.json.errors).toBeUndefined();
  };

  it.each([
    ['an unknown order', '{ decisions(orderBy: NEWEST) { totalCount } }', /NEWEST/],
    ["another type's order", '{ decisions(orderBy: SEQ_ASC) { totalCount } }', /SEQ_ASC/],
    ['an order on a to-one field', '{ executions { nodes { decision(orderBy: ID_ASC) { id } } } }', /orderBy/],
    [
      "a variable of another type's order enum",
      'query($o: AuditEventOrder) { decisions(orderBy: $o) { totalCount } }',
      /AuditEventOrder/,
    ],
    ['a list of orders', '{ decisions(orderBy: [ID_ASC]) { totalCount } }', /TradeDecisionOrder/],
  ])('%s: 400 GRAPHQL_VALIDATION_FAILED', async (_what, query, message) => {
    const answer = await gateway.post({ query }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.json.errors[0].message).toMatch(message);
    await healthy();
  });

  it.each([
    ['a number', 5],
    ['an unknown value', 'OLDEST'],
    ['an empty string', ''],
  ])('a variable holding %s: 400 BAD_USER_INPUT', async (_what, value) => {
    const answer = await gateway.post(
      { query: 'query($o: TradeDecisionOrder) { decisions(orderBy: $o) { totalCount } }', variables: { o: value } },
      { secret },
    );
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await healthy();
  });

  async function cursorOf(query: string, variables: Record<string, unknown> = {}): Promise<string> {
    const answer = await gateway.post({ query, variables }, { secret });
    expect(answer.json.errors).toBeUndefined();
    return JSON.stringify(answer.json.data).match(/"endCursor":"([^"]+)"/)![1]!;
  }

  it('refuses a cursor of another order, or of another type, with BAD_USER_INPUT naming the argument', async () => {
    const ascending = await cursorOf('{ decisions(first: 1, orderBy: ID_ASC) { pageInfo { endCursor } } }');
    const execution = await cursorOf('{ executions(first: 1) { pageInfo { endCursor } } }');
    const child = await cursorOf(
      'query($id: ID!) { decision(id: $id) { executions(first: 1, orderBy: CREATED_AT_DESC) { pageInfo { endCursor } } } }',
      { id: trade.decision.nodeId },
    );
    const cases: [string, Record<string, unknown>, RegExp, string][] = [
      [
        'query($c: String) { decisions(orderBy: CREATED_AT_ASC, after: $c) { totalCount } }',
        { c: ascending },
        /in order ID_ASC, not in order CREATED_AT_ASC/,
        'after',
      ],
      [
        'query($c: String) { decisions(before: $c) { totalCount } }',
        { c: ascending },
        /not in order CREATED_AT_DESC/,
        'before',
      ],
      [
        'query($c: String) { decisions(orderBy: ID_ASC, after: $c) { totalCount } }',
        { c: execution },
        /a cursor of a TradeExecution list, not of a TradeDecision list/,
        'after',
      ],
      [
        'query($id: ID!, $c: String) { decision(id: $id) { executions(after: $c) { totalCount } } }',
        { id: trade.decision.nodeId, c: child },
        /in order CREATED_AT_DESC, not in order CREATED_AT_ASC/,
        'after',
      ],
    ];
    for (const [query, variables, message, argument] of cases) {
      const answer = await gateway.post({ query, variables }, { secret });
      expect(answer.json.errors).toHaveLength(1);
      expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.json.errors[0].message).toMatch(message);
      expect(answer.json.errors[0].extensions.argument).toBe(argument);
    }
    await healthy();
  });

  const nest = (depth: number): Record<string, unknown> =>
    depth === 0 ? { status: { eq: 'filled' } } : { not: nest(depth - 1) };

  it.each([
    [
      'nesting 50 deep',
      'executions',
      'TradeExecutionWhere',
      nest(50),
      /deeper than 10 levels/,
      'where.not.not.not.not.not.not.not.not.not.not',
    ],
    [
      'an in of 10,000 values',
      'executions',
      'TradeExecutionWhere',
      { executionId: { in: Array.from({ length: 10_000 }, (_, i) => `e${i}`) } },
      /at most 1000/,
      'where.executionId.in',
    ],
    [
      'an invalid JSON path',
      'inputs',
      'ApiPayloadWhere',
      { payload: { jsonPath: '$.score >>> 1' } },
      /not a valid SQL\/JSON path/,
      'where.payload.jsonPath',
    ],
  ])(
    "a node's own where: with %s: BAD_USER_INPUT naming the path",
    async (_what, field, type, where, message, argument) => {
      const answer = await gateway.post(
        {
          query: `query($id: ID!, $w: ${type}) { decision(id: $id) { ${field}(where: $w) { totalCount nodes { id } } } }`,
          variables: { id: trade.decision.nodeId, w: where },
        },
        { secret },
      );
      expect(answer.json.errors).toHaveLength(1);
      expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.json.errors[0].message).toMatch(message);
      expect(answer.json.errors[0].extensions.argument).toBe(argument);
      await healthy();
    },
  );

  it("a node's own where: of the wrong type: 400 BAD_USER_INPUT", async () => {
    const answer = await gateway.post(
      {
        query:
          'query($id: ID!, $w: TradeExecutionWhere) { decision(id: $id) { executions(where: $w) { totalCount } } }',
        variables: { id: trade.decision.nodeId, w: { status: { eq: 'pending' } } },
      },
      { secret },
    );
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await healthy();
  });
});
