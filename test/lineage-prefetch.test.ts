import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { toGlobalId } from '../src/graphql/global-id';

/**
 * `position(id:)` asked with its lineage reads the whole walk in one
 * statement and primes the loaders; `node(id:)` walks level by level. The
 * same selection must give the same answer either way, to the cursor.
 */
const WALK = /* GraphQL */ `
  fragment Walk on Position {
    id databaseId account symbol quantity avgCost status openedAt closedAt externalId
    executions(first: $first) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node {
          id executionId status filledQuantity fillPrice commission errorMessage submittedAt filledAt createdAt
          requestPayload { id direction httpStatus payload createdAt ingestionRun { runId } }
          responsePayload { id httpStatus payload latencyMs }
          decision {
            id decisionId status quantity limitPrice decisionRationale createdAt
            inputs(last: $inputs) {
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              nodes { id payload latencyMs ingestionRun { runId status metadata startedAt finishedAt } }
            }
          }
        }
      }
    }
  }
`;
const DIRECT = `query Direct($id: ID!, $first: Int, $inputs: Int) { position(id: $id) { ...Walk } } ${WALK}`;
const VIA_NODE = `query ViaNode($id: ID!, $first: Int, $inputs: Int) { node(id: $id) { ...Walk } } ${WALK}`;

describe('lineage prefetch: a record and the lineage asked below it in one statement', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let other: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), {
      executionCount: 3,
      inputCount: 3,
      // One execution the broker never answered: its response payload is null.
      adjust: ({ executions }) => {
        executions[1]!.apiResponsePayload = null;
      },
    });
    other = await createTrade(gateway.orm.em.fork(), { executionCount: 1, symbol: 'AAPL' });
    // Current statuses come from appended events, in both paths.
    for (const change of [
      { table: 'trade_decisions', id: trade.decision.id, to: 'cancelled' },
      { table: 'trade_executions', id: trade.executions[0]!.id, to: 'cancelled' },
      { table: 'data_ingestion_runs', id: trade.run.id, to: 'failed' },
      { table: 'positions', id: trade.position.id, to: 'closed' },
    ]) {
      await appendStatusChange(gateway.database.url, change);
    }
  });
  afterAll(() => gateway.close());

  async function both(variables: Record<string, unknown>) {
    const direct = await gateway.countStatements(() => gateway.execute<any>(DIRECT, variables));
    const viaNode = await gateway.countStatements(() => gateway.execute<any>(VIA_NODE, variables));
    return {
      direct: direct.result,
      directStatements: direct.statements,
      viaNode: viaNode.result,
      viaNodeStatements: viaNode.statements,
    };
  }

  it.each([
    ['default pages', {}],
    ['a first page with more behind it, inputs from the end', { first: 2, inputs: 2 }],
    ['empty pages', { first: 0, inputs: 0 }],
  ])('answers as the level-by-level walk does (%s), in one statement', async (_name, pages) => {
    const { direct, directStatements, viaNode, viaNodeStatements } = await both({
      id: trade.position.nodeId,
      ...pages,
    });
    expect(direct.errors).toBeUndefined();
    expect(viaNode.errors).toBeUndefined();
    expect(direct.data.position).toEqual(viaNode.data.node);
    expect(directStatements).toBe(1);
    expect(viaNodeStatements).toBeGreaterThan(1);
  });

  it(
    'carries what the walk must show: derived statuses, exact decimals, a missing payload, ' + 'the page edges',
    async () => {
      const { data } = await gateway.execute<any>(DIRECT, { id: trade.position.nodeId, first: 2, inputs: 2 });
      const position = data.position;
      expect(position.status).toBe('closed');
      expect(position.executions.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const [first, second] = position.executions.edges.map((edge: any) => edge.node);
      expect(first).toMatchObject({ status: 'cancelled', filledQuantity: '10.50000000', commission: '0.01000000' });
      expect(first.decision).toMatchObject({ status: 'cancelled', quantity: '10.50000000' });
      expect(first.decision.inputs.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(first.decision.inputs.nodes).toHaveLength(2);
      expect(first.decision.inputs.nodes[0].ingestionRun).toMatchObject({ runId: trade.run.runId, status: 'failed' });
      expect(second.responsePayload).toBeNull();
      expect(second.requestPayload.payload).toEqual({ symbol: 'NVDA', qty: '10.5', side: 'buy', leg: 1 });
    },
  );

  it('reads the page after a cursor through its loader, with the same answer', async () => {
    const { data } = await gateway.execute<any>(DIRECT, { id: trade.position.nodeId, first: 1 });
    const after = data.position.executions.pageInfo.endCursor;
    const query = (root: string) =>
      `query ($id: ID!, $after: String) { ${root}(id: $id) { ... on Position { ` +
      `executions(first: 5, after: $after) { pageInfo { hasNextPage } nodes { executionId decision { ` +
      `decisionId } } } } } }`;
    const direct = await gateway.countStatements(() =>
      gateway.execute<any>(query('position'), { id: trade.position.nodeId, after }),
    );
    const viaNode = await gateway.execute<any>(query('node'), { id: trade.position.nodeId, after });
    expect(direct.result.errors).toBeUndefined();
    expect(direct.result.data.position).toEqual(viaNode.data.node);
    expect(direct.result.data.position.executions.nodes.map((node: any) => node.executionId)).toEqual(
      trade.executions.slice(1).map((execution) => execution.executionId),
    );
    expect(direct.statements).toBeGreaterThan(1);
  });

  it('shares the statement between positions asked together with the same selection, through fragments', async () => {
    const query = `query ($a: ID!, $b: ID!) {
      a: position(id: $a) { ...Lineage }
      b: position(id: $b) { ... on Position { symbol executions { nodes { ...Execution } } } }
    }
    fragment Lineage on Position { symbol executions { nodes { ...Execution } } }
    fragment Execution on TradeExecution { executionId decision { inputs { nodes { ingestionRun { runId } } } } }`;
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute<any>(query, { a: trade.position.nodeId, b: other.position.nodeId }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.a.executions.nodes).toHaveLength(3);
    expect(result.data.b.symbol).toBe('AAPL');
    expect(result.data.b.executions.nodes[0].decision.inputs.nodes[0].ingestionRun.runId).toBe(other.run.runId);
    expect(statements).toBe(1);
  });

  /** `root` asked directly and through node(id:) (the loaders, level by level) must agree. */
  async function sameAsLevelByLevel(
    root: string,
    type: string,
    selection: string,
    variables: Record<string, unknown>,
    nodeId: string,
    keyType = 'String!',
  ) {
    const direct = await gateway.countStatements(() =>
      gateway.execute<any>(`query ($key: ${keyType}) { answer: ${root} ${selection} }`, variables),
    );
    const viaNode = await gateway.countStatements(() =>
      gateway.execute<any>(`query ($id: ID!) { answer: node(id: $id) { ... on ${type} ${selection} } }`, {
        id: nodeId,
      }),
    );
    expect(direct.result.errors).toBeUndefined();
    expect(viaNode.result.errors).toBeUndefined();
    expect(direct.result.data.answer).toEqual(viaNode.result.data.answer);
    return { answer: direct.result.data.answer, statements: direct.statements, levelByLevel: viaNode.statements };
  }

  it(
    'reads an execution by external id with its decision, inputs, ' +
      "runs and its position's other fills in one statement",
    async () => {
      const selection = `{ executionId status decision { decisionId status
        inputs { nodes { id ingestionRun { runId status } } } }
      position { symbol status
        executions { pageInfo { hasNextPage } nodes { executionId responsePayload { httpStatus } } } } }`;
      const { answer, statements, levelByLevel } = await sameAsLevelByLevel(
        'execution(executionId: $key)',
        'TradeExecution',
        selection,
        { key: trade.executions[0]!.executionId },
        trade.executions[0]!.nodeId,
      );
      expect(answer.position.executions.nodes).toHaveLength(3);
      expect(answer.decision.inputs.nodes[0].ingestionRun.status).toBe('failed');
      expect(statements).toBe(1);
      expect(levelByLevel).toBeGreaterThan(4);
    },
  );

  it(
    'reads an ingestion run downstream — payloads, the decisions they fed, ' +
      'their executions and positions — in one statement',
    async () => {
      const selection =
        `{ runId payloads(first: 2) { pageInfo { hasNextPage endCursor } nodes { id decisions { nodes { ` +
        `decisionId executions(last: 2) { nodes { executionId position { symbol } } } } } } } }`;
      const { answer, statements } = await sameAsLevelByLevel(
        'ingestionRun(runId: $key)',
        'IngestionRun',
        selection,
        { key: trade.run.runId },
        trade.run.nodeId,
      );
      expect(answer.payloads.pageInfo.hasNextPage).toBe(true);
      expect(answer.payloads.nodes[0].decisions.nodes[0].executions.nodes).toHaveLength(2);
      expect(statements).toBe(1);
    },
  );

  it(
    'reads a broker payload with the executions that sent or received it, and their decisions, ' + 'in one statement',
    async () => {
      const selection =
        `{ id httpStatus executions { nodes { executionId decision { decisionId inputs(first: 1) { nodes { id } } } ` +
        `} } }`;
      const request = trade.executions[0]!.apiRequestPayload!;
      const { answer, statements } = await sameAsLevelByLevel(
        'apiPayload(id: $key)',
        'ApiPayload',
        selection,
        { key: request.nodeId },
        request.nodeId,
        'ID!',
      );
      expect(answer.executions.nodes.map((node: any) => node.executionId)).toEqual([trade.executions[0]!.executionId]);
      expect(answer.executions.nodes[0].decision.inputs.nodes).toHaveLength(1);
      expect(statements).toBe(1);
    },
  );

  it(
    'follows a selection that turns back on itself (execution ' +
      '→ position → executions → position) as the loaders do',
    async () => {
      const selection =
        `{ executionId position { executions { nodes { executionId position { quantity executions(first: 1) { ` +
        `nodes { executionId } } } } } } }`;
      const { answer, statements } = await sameAsLevelByLevel(
        'execution(executionId: $key)',
        'TradeExecution',
        selection,
        { key: trade.executions[2]!.executionId },
        trade.executions[2]!.nodeId,
      );
      expect(answer.position.executions.nodes[1].position.executions.nodes).toHaveLength(1);
      expect(statements).toBe(1);
    },
  );

  it('reads a filtered list page, then everything below its nodes in one more statement', async () => {
    const query = `query ($rationale: JSON!) { decisions(first: 50, filter: { rationale: { contains: $rationale } }) {
      nodes { id decisionId status executions { nodes { executionId status responsePayload { httpStatus } } } } } }`;
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute<any>(query, { rationale: { signal: 'congress_buy' } }),
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(2);
    const nodes = result.data.decisions.nodes;
    expect(nodes.map((node: any) => node.decisionId).sort()).toEqual(
      [trade.decision.decisionId, other.decision.decisionId].sort(),
    );
    for (const node of nodes) {
      const viaNode = await gateway.execute<any>(
        `query ($id: ID!) { node(id: $id) { ... on TradeDecision { id decisionId status executions { nodes { ` +
          `executionId status responsePayload { httpStatus } } } } } }`,
        { id: node.id },
      );
      expect(node).toEqual(viaNode.data.node);
    }
    expect(
      nodes
        .find((node: any) => node.decisionId === trade.decision.decisionId)
        .executions.nodes.map((execution: any) => execution.responsePayload),
    ).toEqual([{ httpStatus: 201 }, null, { httpStatus: 201 }]);
  });

  it(
    'reads a list filtered with question-mark operators and values, ' +
      'then what is below its nodes in one more statement',
    async () => {
      const query =
        `query ($filter: JsonFilter!) { decisions(first: 10, filter: { rationale: $filter }) { nodes { ` +
        `decisionId executions { nodes { executionId } } } } }`;
      const cases: [Record<string, unknown>, number, number][] = [
        [{ hasKey: 'signal' }, 2, 2],
        [{ hasAnyKeys: ['nothing?', 'score'] }, 2, 2],
        // Nothing matched: nothing to read below.
        [{ hasAllKeys: ['signal', 'what?'] }, 0, 1],
        [{ contains: { signal: "it's ?, really? $1 :keys" } }, 0, 1],
      ];
      for (const [filter, decisions, expectedStatements] of cases) {
        const { result, statements } = await gateway.countStatements(() => gateway.execute<any>(query, { filter }));
        expect(result.errors).toBeUndefined();
        expect(result.data.decisions.nodes).toHaveLength(decisions);
        expect(statements).toBe(expectedStatements);
      }
      const { data } = await gateway.execute<any>(query, { filter: { hasKey: 'signal' } });
      const mine = data.decisions.nodes.find((node: any) => node.decisionId === trade.decision.decisionId);
      expect(mine.executions.nodes.map((node: any) => node.executionId)).toEqual(
        trade.executions.map((execution) => execution.executionId),
      );
    },
  );

  it('answers null for an external id that matches nothing, however it is quoted, in one statement', async () => {
    for (const key of ["x' or '1'='1", 'exe"); drop table trade_executions; --', '\\', '{1,2}', ' ']) {
      const { result, statements } = await gateway.countStatements(() =>
        gateway.execute<any>(
          `query ($key: String!) { execution(executionId: $key) { executionId decision { decisionId } } }`,
          { key },
        ),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.execution).toBeNull();
      expect(statements).toBe(1);
    }
  });

  it('answers null for a position that does not exist, in one statement', async () => {
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute<any>(DIRECT, { id: toGlobalId('Position', '999999999') }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.position).toBeNull();
    expect(statements).toBe(1);
  });

  it.each([
    ['a page too large', { first: 1000 }, /`first` must be between 0 and 100; got 1000/],
    ['a negative page', { inputs: -1 }, /`last` must be between 0 and 100; got -1/],
  ])('refuses %s on its own field, as the level-by-level walk does', async (_name, pages, message) => {
    const { direct, viaNode } = await both({ id: trade.position.nodeId, ...pages });
    expect(direct.errors).toHaveLength(viaNode.errors!.length);
    expect(direct.errors![0]!.message).toMatch(message);
    expect(direct.errors!.map((error) => [error.message, error.extensions?.code, error.path?.slice(1)])).toEqual(
      viaNode.errors!.map((error) => [error.message, error.extensions?.code, error.path?.slice(1)]),
    );
  });

  it('refuses a cursor of another list or a forged one, as before', async () => {
    const query =
      `query ($id: ID!, $after: String) { position(id: $id) { executions(after: $after) { nodes { executionId } } ` +
      `} }`;
    const forged = await gateway.execute<any>(query, { id: trade.position.nodeId, after: 'not-a-cursor' });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(forged.errors?.[0]?.path).toEqual(['position', 'executions']);
    const { data } = await gateway.execute<any>(DIRECT, { id: other.position.nodeId, first: 1 });
    const otherCursor = data.position.executions.pageInfo.endCursor;
    const foreign = await gateway.execute<any>(query, { id: trade.position.nodeId, after: otherCursor });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a malformed id before any SQL', async () => {
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute<any>(DIRECT, { id: "'; drop table positions; --" }),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(statements).toBe(0);
  });
});
