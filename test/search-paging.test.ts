import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { investigationQuery } from './harness/investigations';

// The saved "Broker errors" tab searches rejected executions; on real data
// hundreds of them carry the same broker message, so they tie on rank and
// only the tiebreak orders them.
const BROKER_ERRORS = 'search(query: "insufficient buying power", kinds: [EXECUTION], first: 20)';
const HITS = 1100;

const walkQuery = /* GraphQL */ `
  query($first: Int, $after: String, $last: Int, $before: String) {
    search(query: "insufficient buying power", kinds: [EXECUTION], first: $first, after: $after,
      last: $last, before: $before) {
      nodes { node { databaseId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('search pages over many hits of equal rank', () => {
  let gateway: TestGateway;
  let executionIds: string[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Ids 1 to 1,100 cross every digit-count boundary up to 1000, where text order and numeric order part.
    executionIds = await withClient(gateway.database.url, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `insert into trade_executions (execution_id, status, filled_quantity, error_message, created_at)
         select 'rejected-' || n, 'rejected', 0, 'insufficient buying power', '2026-10-01T14:00:00Z'
         from generate_series(1, $1::int) n
         returning id::text`,
        [HITS],
      );
      return rows.map((row) => row.id);
    });
  });
  afterAll(() => gateway.close());

  async function page(variables: Record<string, unknown>) {
    const result = await gateway.execute(walkQuery, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.search;
  }

  it('walks the saved tab’s search to its end and back, each execution once, by id, past 1,000 hits', async () => {
    expect(investigationQuery('Broker errors')).toContain(BROKER_ERRORS);
    const forward: string[] = [];
    for (let after: string | null = null, more = true; more;) {
      const current: any = await page({ first: 20, after });
      forward.push(...current.nodes.map((hit: any) => hit.node.databaseId));
      [after, more] = [current.pageInfo.endCursor, current.pageInfo.hasNextPage];
    }
    const backward: string[][] = [];
    for (let before: string | null = null, more = true; more;) {
      const current: any = await page({ last: 100, before });
      backward.unshift(current.nodes.map((hit: any) => hit.node.databaseId));
      [before, more] = [current.pageInfo.startCursor, current.pageInfo.hasPreviousPage];
    }
    const byId = [...executionIds].sort((a, b) => Number(a) - Number(b));
    expect(forward).toEqual(byId);
    expect(backward.flat()).toEqual(byId);
  });

  it('answers the saved tab with the first page of that walk', async () => {
    const tab = await gateway.execute(investigationQuery('Broker errors').replace(/^(#.*\n)+/, ''));
    expect(tab.errors).toBeUndefined();
    const first = await page({ first: 20 });
    expect(tab.data!.search.nodes.map((hit: any) => hit.node.executionId)).toEqual(
      first.nodes.map((hit: any) => `rejected-${executionIds.indexOf(hit.node.databaseId) + 1}`),
    );
  });
});
