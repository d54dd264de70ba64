import { encodeCursor } from '../src/graphql/pagination/cursor';
import { encodeSearchCursor } from '../src/resolvers/search-cursor';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const searchQuery = /* GraphQL */ `
  query($query: String!, $kinds: [SearchKind!], $first: Int, $after: String, $last: Int, $before: String) {
    search(query: $query, kinds: $kinds, first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { kind rank snippet node { __typename id
        ... on TradeExecution { executionId decision { decisionId } } } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

describe('search(query:): ranked full-text search with snippets', () => {
  let gateway: TestGateway;
  let rejected: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    rejected = await createTrade(em, {
      executionCount: 1,
      symbol: 'TSLA',
      adjust: ({ executions }) => (executions[0]!.errorMessage = 'insufficient buying power for order of 10.5 TSLA'),
    });
    await createTrade(em, {
      executionCount: 3,
      symbol: 'MSFT',
      adjust: ({ executions }) => (executions[1]!.errorMessage = 'rate limit exceeded (429): retry after 60s'),
    });
  });
  afterAll(() => gateway.close());

  async function search(variables: Record<string, unknown>) {
    const result = await gateway.execute(searchQuery, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.search;
  }

  it('finds broker errors with the matched words highlighted, the lineage one field away', async () => {
    const result = await search({ query: 'buying power', kinds: ['EXECUTION'] });
    expect(result.edges).toHaveLength(1);
    expect(result.edges[0].node).toMatchObject({
      kind: 'EXECUTION',
      snippet: 'insufficient **buying** **power** for order of 10.5 TSLA',
      node: {
        __typename: 'TradeExecution',
        executionId: rejected.executions[0]!.executionId,
        decision: { decisionId: rejected.decision.decisionId },
      },
    });
    expect(result.edges[0].node.rank).toBeGreaterThan(0);
  });

  it('searches payload bodies, endpoints and rationales across kinds, ranked', async () => {
    const pelosi = await search({ query: 'Pelosi' });
    expect(pelosi.edges.map((edge: any) => edge.node.kind)).toEqual(['PAYLOAD', 'PAYLOAD', 'PAYLOAD', 'PAYLOAD']);
    expect(pelosi.edges[0].node.snippet).toContain('**Pelosi**');
    const rationale = await search({ query: 'congress', kinds: ['DECISION'] });
    expect(rationale.edges).toHaveLength(2);
    const ranks = (await search({ query: 'TSLA or MSFT', first: 50 })).edges.map((edge: any) => edge.node.rank);
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => b - a));
  });

  it('accepts any punctuation as plain text', async () => {
    for (const query of [
      '(((rate-limit!!!',
      'rate & limit | "exceeded',
      "'; drop table trade_executions; --",
      ':*',
      '!!!',
      'a\\b c',
    ]) {
      const result = await gateway.execute(searchQuery, { query });
      expect(result.errors).toBeUndefined();
    }
    const phrase = await search({ query: '"rate limit" -buying' });
    expect(phrase.edges).toHaveLength(1);
    expect(phrase.edges[0].node.snippet).toMatch(/^\*\*rate\*\* \*\*limit\*\* exceeded \(429\)/);
  });

  it('pages through hits with cursors', async () => {
    const first = await search({ query: 'MSFT', first: 2 });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await search({ query: 'MSFT', first: 2, after: first.pageInfo.endCursor });
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const firstIds = first.edges.map((edge: any) => edge.node.node.id);
    for (const edge of second.edges) expect(firstIds).not.toContain(edge.node.node.id);
  });

  it('finds nothing for words that are not there, or only stop words', async () => {
    expect((await search({ query: 'zzzzunknownword' })).edges).toEqual([]);
    expect((await search({ query: 'the and of' })).edges).toEqual([]);
  });

  it.each([
    [{ query: '' }, /`query` must be 1 to 500 characters/],
    [{ query: '   ' }, /`query` must be 1 to 500 characters/],
    [{ query: 'x'.repeat(501) }, /`query` must be 1 to 500 characters/],
    [{ query: 'power', first: 101 }, /`first` must be between 0 and 100/],
    [{ query: 'power', after: 'garbage' }, /`after` is not a valid cursor/],
    [{ query: 'power', after: encodeCursor('TradeDecision', '1') }, /cursor of a TradeDecision list/],
    [{ query: 'power', after: encodeCursor('SearchHit', '5000') }, /`after` is not a valid cursor/],
    [
      { query: 'power', before: encodeSearchCursor('buying', { kind: 'EXECUTION', id: '1' }) },
      /`before` is a cursor of another search/,
    ],
    [{ query: 'power', first: 1, last: 1 }, /either `first` or `last`/],
  ])('refuses %j with BAD_USER_INPUT', async (variables, message) => {
    const result = await gateway.execute(searchQuery, variables);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(result.errors![0]!.message).toMatch(message);
  });
});
