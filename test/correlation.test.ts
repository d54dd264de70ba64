import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const trailQuery = /* GraphQL */ `
  query($id: String!) {
    correlated(correlationId: $id) {
      __typename
      ... on TradeDecision { decisionId createdAt }
      ... on ApiPayload { id direction createdAt }
      ... on TradeExecution { executionId createdAt }
    }
  }
`;

describe('correlated(correlationId:): one intent through decision, order and execution', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    trade = await createTrade(em, { executionCount: 2 });
    await createTrade(em, { executionCount: 3 }); // another intent, which must not leak in
  });
  afterAll(() => gateway.close());

  it('returns every record of the intent, oldest first, in four statements', async () => {
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute(trailQuery, { id: trade.decision.correlationId }),
    );
    expect(result.errors).toBeUndefined();
    const trail = result.data!.correlated as { __typename: string; createdAt: string; direction?: string }[];
    expect(trail.map((node) => node.__typename).sort()).toEqual(
      [
        'TradeDecision',
        'TradeExecution',
        'TradeExecution',
        'ApiPayload',
        'ApiPayload',
        'ApiPayload',
        'ApiPayload',
      ].sort(),
    );
    expect(trail[0]).toMatchObject({ __typename: 'TradeDecision', decisionId: trade.decision.decisionId });
    const times = trail.map((node) => Date.parse(node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // At the same instant a broker request comes before the execution, and the response after it.
    expect(trail.slice(1, 4).map((node) => node.direction ?? node.__typename)).toEqual([
      'request',
      'request',
      'TradeExecution',
    ]);
    expect(statements).toBe(4); // the trail, then one batched load per kind
  });

  it('answers an unknown correlation id with an empty list', async () => {
    const result = await gateway.execute(trailQuery, { id: 'intent-unknown' });
    expect(result).toEqual({ data: { correlated: [] } });
  });

  it.each([
    ['an empty id', ''],
    ['a blank id', '   '],
    ['an id over 200 characters', 'x'.repeat(201)],
  ])('refuses %s with BAD_USER_INPUT', async (_name, id) => {
    const result = await gateway.execute(trailQuery, { id });
    expect(result.errors![0]).toMatchObject({
      message: '`correlationId` must be 1 to 200 characters',
      extensions: { code: 'BAD_USER_INPUT', argument: 'correlationId' },
    });
  });

  it('treats SQL in the id as plain text', async () => {
    const result = await gateway.execute(trailQuery, { id: "x' or '1'='1" });
    expect(result).toEqual({ data: { correlated: [] } });
  });
});
