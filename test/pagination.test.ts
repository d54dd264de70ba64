import { encodeCursor } from '../src/graphql/pagination/cursor';
import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const page = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String, $filter: TradeDecisionFilter) {
    decisions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      edges { cursor node { databaseId symbol } }
      nodes { databaseId }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('cursor pagination and list filters', () => {
  let gateway: TestGateway;
  let idsNewestFirst: string[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    const ids: string[] = [];
    // Seven decisions with the same created_at: order must still be total (id breaks ties).
    for (let index = 0; index < 7; index++) {
      const trade = await createTrade(em, {
        executionCount: 1,
        symbol: index < 4 ? 'MSFT' : 'TSLA',
        strategy: index % 2 ? 'SectorRotationModel_v1' : 'CongressionalTradingStrategy',
      });
      ids.push(trade.decision.databaseId);
    }
    idsNewestFirst = ids.sort((a, b) => Number(b) - Number(a));
  });
  afterAll(() => gateway.close());

  async function fetchPage(variables: Record<string, unknown>) {
    const result = await gateway.execute(page, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.decisions;
  }

  it('walks forward through every row exactly once, newest first, with a unique tie-breaker', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const current: any = await fetchPage({ first: 3, after });
      seen.push(...current.edges.map((edge: any) => edge.node.databaseId));
      expect(current.nodes.map((node: any) => node.databaseId)).toEqual(
        current.edges.map((edge: any) => edge.node.databaseId),
      );
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      pages.push(current.pageInfo.hasNextPage);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(idsNewestFirst);
    expect(pages).toEqual([true, true, false]);
  });

  it('walks backward with last/before', async () => {
    const tail = await fetchPage({ last: 2 });
    expect(tail.edges.map((edge: any) => edge.node.databaseId)).toEqual(idsNewestFirst.slice(5));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await fetchPage({ last: 3, before: tail.pageInfo.startCursor });
    expect(before.edges.map((edge: any) => edge.node.databaseId)).toEqual(idsNewestFirst.slice(2, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
  });

  it('returns an empty page for first: 0 and past the end', async () => {
    expect((await fetchPage({ first: 0 })).edges).toEqual([]);
    const last = encodeCursor('TradeDecision', idsNewestFirst.at(-1)!);
    const beyond = await fetchPage({ first: 5, after: last });
    expect(beyond).toMatchObject({ edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });

  it('filters by symbol, strategy, status and time window, and pages within the filter', async () => {
    const msft = await fetchPage({ first: 10, filter: { symbol: 'MSFT' } });
    expect(msft.edges).toHaveLength(4);
    const both = await fetchPage({
      first: 10,
      filter: { symbol: 'TSLA', strategy: 'SectorRotationModel_v1', status: 'executed' },
    });
    expect(both.edges.map((edge: any) => edge.node.symbol)).toEqual(['TSLA']); // only the 6th decision is both
    const window = await fetchPage({
      first: 10,
      filter: { createdFrom: '2026-10-01T14:02:00Z', createdTo: '2026-10-01T14:03:00Z' },
    });
    expect(window.edges).toHaveLength(7);
    const outside = await fetchPage({ first: 10, filter: { createdFrom: '2026-10-01T14:02:00.001Z' } });
    expect(outside.edges).toHaveLength(0);
    const second = await fetchPage({ first: 2, after: msft.edges[1].cursor, filter: { symbol: 'MSFT' } });
    expect(second.edges.map((edge: any) => edge.node.databaseId)).toEqual(
      msft.edges.slice(2).map((edge: any) => edge.node.databaseId),
    );
  });

  it('pages every root list', async () => {
    const lists = await gateway.execute(`{
      ingestionRuns(first: 2, filter: { source: "quiverquant" }) { edges { cursor } pageInfo { hasNextPage } }
      apiPayloads(first: 2, filter: { provider: "alpaca", minHttpStatus: 200 })
      { nodes { provider httpStatus } pageInfo { hasNextPage } }
      executions(first: 2, filter: { symbol: "TSLA", status: filled }) { nodes { status } }
      positions(last: 1, filter: { symbol: "MSFT", status: open }) { nodes { symbol } pageInfo { hasPreviousPage } }
    }`);
    expect(lists.errors).toBeUndefined();
    expect(lists.data).toEqual({
      ingestionRuns: { edges: [expect.any(Object), expect.any(Object)], pageInfo: { hasNextPage: true } },
      apiPayloads: {
        nodes: [
          { provider: 'alpaca', httpStatus: 201 },
          { provider: 'alpaca', httpStatus: 201 },
        ],
        pageInfo: { hasNextPage: true },
      },
      executions: { nodes: [{ status: 'filled' }, { status: 'filled' }] },
      positions: { nodes: [{ symbol: 'MSFT' }], pageInfo: { hasPreviousPage: true } },
    });
  });

  describe('refuses bad paging arguments with BAD_USER_INPUT', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['a cursor that is not base64', { after: '%%%not a cursor%%%' }, /`after` is not a valid cursor/],
      [
        'a cursor of random bytes',
        { after: Buffer.from('hello world').toString('base64url') },
        /`after` is not a valid cursor/,
      ],
      [
        'a cursor of another list',
        { after: encodeCursor('Position', '1') },
        /cursor of a Position list, not of a TradeDecision list/,
      ],
      [
        'a cursor with an id beyond bigint',
        { before: Buffer.from('cursor:v1:TradeDecision:99999999999999999999').toString('base64url') },
        /`before` is not a valid cursor/,
      ],
      [
        'a cursor with SQL in it',
        { after: Buffer.from('cursor:v1:TradeDecision:1 or 1=1').toString('base64url') },
        /not a valid cursor/,
      ],
      ['a huge page', { first: 101 }, /`first` must be between 0 and 100/],
      ['a negative page', { last: -1 }, /`last` must be between 0 and 100/],
      ['first and last together', { first: 1, last: 1 }, /either `first` or `last`/],
      [
        'an inverted time window',
        { filter: { createdFrom: '2026-10-02T00:00:00Z', createdTo: '2026-10-01T00:00:00Z' } },
        /`createdFrom` must be before `createdTo`/,
      ],
    ];
    it.each(cases)('%s', async (_name, variables, message) => {
      const result = await gateway.execute(page, variables);
      expect(result.data?.decisions ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(result.errors![0]!.message).toMatch(message);
    });
  });
});
