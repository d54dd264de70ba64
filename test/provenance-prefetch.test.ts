import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
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

describe('provenance prefetch: a position and its lineage in one statement', () => {
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
    await withClient(gateway.database.url, async (client) => {
      for (const [table, id, to] of [
        ['trade_decisions', trade.decision.id, 'cancelled'],
        ['trade_executions', trade.executions[0]!.id, 'cancelled'],
        ['data_ingestion_runs', trade.run.id, 'failed'],
        ['positions', trade.position.id, 'closed'],
      ]) {
        await client.query(
          `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
           values ('TRADE', 'status_changed', $1, $2, $3, 'test', now())`,
          [{ from: null, to }, table, id],
        );
      }
    });
  });
  afterAll(() => gateway.close());

  async function both(variables: Record<string, unknown>) {
    const direct = await gateway.countStatements(() => gateway.execute<any>(DIRECT, variables));
    const viaNode = await gateway.countStatements(() => gateway.execute<any>(VIA_NODE, variables));
    return { direct: direct.result, directStatements: direct.statements, viaNode: viaNode.result, viaNodeStatements: viaNode.statements };
  }

  it.each([
    ['default pages', {}],
    ['a first page with more behind it, inputs from the end', { first: 2, inputs: 2 }],
    ['empty pages', { first: 0, inputs: 0 }],
  ])('answers as the level-by-level walk does (%s), in one statement', async (_name, pages) => {
    const { direct, directStatements, viaNode, viaNodeStatements } = await both({ id: trade.position.nodeId, ...pages });
    expect(direct.errors).toBeUndefined();
    expect(viaNode.errors).toBeUndefined();
    expect(direct.data.position).toEqual(viaNode.data.node);
    expect(directStatements).toBe(1);
    expect(viaNodeStatements).toBeGreaterThan(1);
  });

  it('carries what the walk must show: derived statuses, exact decimals, a missing payload, the page edges', async () => {
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
  });

  it('reads the page after a cursor through its loader, with the same answer', async () => {
    const { data } = await gateway.execute<any>(DIRECT, { id: trade.position.nodeId, first: 1 });
    const after = data.position.executions.pageInfo.endCursor;
    const query = (root: string) =>
      `query ($id: ID!, $after: String) { ${root}(id: $id) { ... on Position { executions(first: 5, after: $after) { pageInfo { hasNextPage } nodes { executionId decision { decisionId } } } } } }`;
    const direct = await gateway.countStatements(() => gateway.execute<any>(query('position'), { id: trade.position.nodeId, after }));
    const viaNode = await gateway.execute<any>(query('node'), { id: trade.position.nodeId, after });
    expect(direct.result.errors).toBeUndefined();
    expect(direct.result.data.position).toEqual(viaNode.data.node);
    expect(direct.result.data.position.executions.nodes.map((node: any) => node.executionId)).toEqual(trade.executions.slice(1).map((execution) => execution.executionId));
    expect(direct.statements).toBeGreaterThan(1);
  });

  it('shares the statement between positions asked together with the same selection, through fragments', async () => {
    const query = `query ($a: ID!, $b: ID!) {
      a: position(id: $a) { ...Lineage }
      b: position(id: $b) { ... on Position { symbol executions { nodes { ...Execution } } } }
    }
    fragment Lineage on Position { symbol executions { nodes { ...Execution } } }
    fragment Execution on TradeExecution { executionId decision { inputs { nodes { ingestionRun { runId } } } } }`;
    const { result, statements } = await gateway.countStatements(() => gateway.execute<any>(query, { a: trade.position.nodeId, b: other.position.nodeId }));
    expect(result.errors).toBeUndefined();
    expect(result.data.a.executions.nodes).toHaveLength(3);
    expect(result.data.b.symbol).toBe('AAPL');
    expect(result.data.b.executions.nodes[0].decision.inputs.nodes[0].ingestionRun.runId).toBe(other.run.runId);
    expect(statements).toBe(1);
  });

  it('answers null for a position that does not exist, in one statement', async () => {
    const { result, statements } = await gateway.countStatements(() => gateway.execute<any>(DIRECT, { id: toGlobalId('Position', '999999999') }));
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
    const query = `query ($id: ID!, $after: String) { position(id: $id) { executions(after: $after) { nodes { executionId } } } }`;
    const forged = await gateway.execute<any>(query, { id: trade.position.nodeId, after: 'not-a-cursor' });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(forged.errors?.[0]?.path).toEqual(['position', 'executions']);
    const { data } = await gateway.execute<any>(DIRECT, { id: other.position.nodeId, first: 1 });
    const otherCursor = data.position.executions.pageInfo.endCursor;
    const foreign = await gateway.execute<any>(query, { id: trade.position.nodeId, after: otherCursor });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a malformed id before any SQL', async () => {
    const { result, statements } = await gateway.countStatements(() => gateway.execute<any>(DIRECT, { id: "'; drop table positions; --" }));
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(statements).toBe(0);
  });
});
