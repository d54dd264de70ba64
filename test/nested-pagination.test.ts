import { encodeCursor } from '../src/graphql/pagination/cursor';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const executionsPage = /* GraphQL */ `
  query Executions($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    position(id: $id) {
      executions(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { databaseId } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`;

const ids = (connection: { edges: { node: { databaseId: string } }[] }) =>
  connection.edges.map((edge) => edge.node.databaseId);

describe("a node's own lists are connections, paged per parent in one statement per level", () => {
  let gateway: TestGateway;
  let wide: TradeFixture;
  let narrow: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    wide = await createTrade(em, { executionCount: 7, inputCount: 5, symbol: 'MSFT' });
    narrow = await createTrade(em, { executionCount: 3, inputCount: 1, symbol: 'TSLA' });
  });
  afterAll(() => gateway.close());

  async function page(variables: Record<string, unknown>) {
    const result = await gateway.execute(executionsPage, { id: wide.position.nodeId, ...variables });
    expect(result.errors).toBeUndefined();
    return result.data!.position.executions;
  }

  it('walks forward through every execution exactly once, oldest first', async () => {
    const seen: string[] = [];
    const hasNext: boolean[] = [];
    let after: string | null = null;
    do {
      const current: any = await page({ first: 3, after });
      seen.push(...ids(current));
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      hasNext.push(current.pageInfo.hasNextPage);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(wide.executions.map((execution) => execution.databaseId));
    expect(hasNext).toEqual([true, true, false]);
  });

  it('walks backward with last/before', async () => {
    const all = wide.executions.map((execution) => execution.databaseId);
    const tail = await page({ last: 2 });
    expect(ids(tail)).toEqual(all.slice(5));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page({ last: 3, before: tail.pageInfo.startCursor });
    expect(ids(before)).toEqual(all.slice(2, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
  });

  it('defaults to 20 and answers an empty page for first: 0', async () => {
    expect(ids(await page({}))).toHaveLength(7);
    const empty = await page({ first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toMatchObject({ hasNextPage: true, startCursor: null, endCursor: null });
  });

  it('pages every parent of a level on its own, in one statement for the level', async () => {
    const query = /* GraphQL */ `{
      positions(first: 10) {
        nodes { symbol executions(first: 2) { nodes { databaseId } pageInfo { hasNextPage } } }
      }
    }`;
    const { result, statements, sql } = await gateway.countStatements(() => gateway.execute(query));
    expect(result.errors).toBeUndefined();
    const bySymbol = Object.fromEntries(
      result.data!.positions.nodes.map((position: any) => [position.symbol, position.executions]),
    );
    expect(bySymbol.MSFT).toEqual({
      nodes: wide.executions.slice(0, 2).map((execution) => ({ databaseId: execution.databaseId })),
      pageInfo: { hasNextPage: true },
    });
    expect(bySymbol.TSLA).toEqual({
      nodes: narrow.executions.slice(0, 2).map((execution) => ({ databaseId: execution.databaseId })),
      pageInfo: { hasNextPage: true },
    });
    expect(statements).toBe(2);
    expect(sql[1]).toMatch(/row_number\(\) over \(partition by c\.parent_id/);
  });

  it('serves different page arguments on one parent side by side', async () => {
    const result = await gateway.execute(
      `query($id: ID!) { position(id: $id) { oldest: executions(first: 1) { nodes { databaseId } } ` +
        `newest: executions(last: 1) { nodes { databaseId } } } }`,
      { id: wide.position.nodeId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.position).toEqual({
      oldest: { nodes: [{ databaseId: wide.executions[0]!.databaseId }] },
      newest: { nodes: [{ databaseId: wide.executions[6]!.databaseId }] },
    });
  });

  it(
    'pages the many-to-many lists (decision inputs, ' + 'payload decisions) and both broker links of a payload',
    async () => {
      const result = await gateway.execute(
        `query($decision: ID!, $request: ID!, $response: ID!) {
        decision(id: $decision) { inputs(first: 2) { nodes { databaseId decisions { nodes { databaseId } } }
          pageInfo { hasNextPage } } }
        request: apiPayload(id: $request) { executions { nodes { databaseId } } }
        response: apiPayload(id: $response) { executions { nodes { databaseId } } }
      }`,
        {
          decision: wide.decision.nodeId,
          request: wide.executions[3]!.apiRequestPayload!.nodeId,
          response: wide.executions[3]!.apiResponsePayload!.nodeId,
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.decision.inputs).toEqual({
        nodes: wide.inputs.slice(0, 2).map((input) => ({
          databaseId: input.databaseId,
          decisions: { nodes: [{ databaseId: wide.decision.databaseId }] },
        })),
        pageInfo: { hasNextPage: true },
      });
      expect(result.data!.request.executions.nodes).toEqual([{ databaseId: wide.executions[3]!.databaseId }]);
      expect(result.data!.response.executions.nodes).toEqual([{ databaseId: wide.executions[3]!.databaseId }]);
    },
  );

  describe('refuses bad paging arguments with BAD_USER_INPUT', () => {
    const otherList = () =>
      encodeCursor(`Position/${narrow.position.databaseId}/executions`, narrow.executions[0]!.databaseId);
    const cases: [string, () => Record<string, unknown>, RegExp][] = [
      [
        "a cursor of another position's executions",
        () => ({ after: otherList() }),
        /`after` is a cursor of the executions of Position \d+, not of the executions of Position \d+/,
      ],
      [
        'a cursor of the root executions list',
        () => ({ before: encodeCursor('TradeExecution', wide.executions[0]!.databaseId) }),
        /cursor of a TradeExecution list, not of the executions of Position/,
      ],
      [
        'a cursor of another field of the same type',
        () => ({ after: encodeCursor(`TradeDecision/${wide.decision.databaseId}/executions`, '1') }),
        /cursor of the executions of TradeDecision/,
      ],
      ['a cursor that is not base64', () => ({ after: '%%%' }), /`after` is not a valid cursor/],
      [
        'a cursor with SQL in its list name',
        () => ({ after: Buffer.from('cursor:v1:Position/1/executions) or (1=1:5').toString('base64url') }),
        /not a valid cursor/,
      ],
      [
        'a parent id beyond bigint',
        () => ({ after: encodeCursor('Position/99999999999999999999/executions', '1') }),
        /not a valid cursor/,
      ],
      ['a huge page', () => ({ first: 101 }), /`first` must be between 0 and 100/],
      ['first and last together', () => ({ first: 1, last: 1 }), /either `first` or `last`/],
    ];
    it.each(cases)('%s', async (_name, variables, message) => {
      const result = await gateway.execute(executionsPage, { id: wide.position.nodeId, ...variables() });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(result.errors![0]!.message).toMatch(message);
      expect(result.errors![0]!.path).toEqual(['position', 'executions']);
    });

    it('fails only the field with the bad cursor, not its siblings', async () => {
      const result = await gateway.execute(
        `query($a: ID!, $b: ID!, $bad: String) {
          a: position(id: $a) { symbol executions(after: $bad) { nodes { databaseId } } }
          b: position(id: $b) { symbol executions { nodes { databaseId } } }
        }`,
        { a: wide.position.nodeId, b: narrow.position.nodeId, bad: otherList() },
      );
      expect(result.errors).toHaveLength(1);
      expect(result.data).toEqual({
        a: null,
        b: {
          symbol: 'TSLA',
          executions: { nodes: narrow.executions.map((execution) => ({ databaseId: execution.databaseId })) },
        },
      });
    });
  });
});
