import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const decisions = /* GraphQL */ `
  query($rationale: JsonFilter) { decisions(first: 100, filter: { rationale: $rationale })
    { nodes { symbol decisionRationale } } }
`;

describe('JSON filters on jsonb columns', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    await createTrade(em, {
      executionCount: 1,
      symbol: 'NVDA',
      adjust: ({ decision }) =>
        (decision.decisionRationale = {
          signal: 'congress_buy',
          score: 0.91,
          model_version: 'v1.4.2',
          thresholds: { min_score: 0.6 },
          source_record_ids: [1, 2],
        }),
    });
    await createTrade(em, {
      executionCount: 1,
      symbol: 'AAPL',
      adjust: ({ decision }) =>
        (decision.decisionRationale = {
          signal: 'sector_rotation',
          score: 0.55,
          sector: 'Technology',
          thresholds: { min_score: 0.5 },
          "it's": 'quoted',
          'a"b,}c\\d': 1,
        }),
    });
  });
  afterAll(() => gateway.close());

  async function symbolsMatching(rationale: Record<string, unknown>) {
    const result = await gateway.execute(decisions, { rationale });
    expect(result.errors).toBeUndefined();
    return result.data!.decisions.nodes.map((node: { symbol: string }) => node.symbol).sort();
  }

  it.each([
    ['contains', { contains: { signal: 'congress_buy' } }, ['NVDA']],
    ['contains an array element', { contains: { source_record_ids: [2] } }, ['NVDA']],
    ['hasKey', { hasKey: 'sector' }, ['AAPL']],
    ['hasKey with a quote in it', { hasKey: "it's" }, ['AAPL']],
    ['hasAnyKeys', { hasAnyKeys: ['sector', 'model_version'] }, ['AAPL', 'NVDA']],
    ['hasAllKeys', { hasAllKeys: ['sector', 'model_version'] }, []],
    ['hasAllKeys, all present', { hasAllKeys: ['sector', "it's"] }, ['AAPL']],
    ['hasAllKeys with quotes, commas, braces and backslashes', { hasAllKeys: ['a"b,}c\\d', "it's"] }, ['AAPL']],
    ['hasAnyKeys that only nearly match', { hasAnyKeys: ['a"b', 'c\\d', 'a\\"b,}c\\d'] }, []],
    ['pathEquals', { pathEquals: { path: ['thresholds', 'min_score'], value: 0.6 } }, ['NVDA']],
    ['jsonPath predicate', { jsonPath: '$.score > 0.9' }, ['NVDA']],
    ['jsonPathExists', { jsonPathExists: '$.source_record_ids[*] ? (@ == 1)' }, ['NVDA']],
    ['several conditions at once', { hasKey: 'score', jsonPath: '$.score < 0.6' }, ['AAPL']],
    ['a value that looks like SQL', { hasKey: "x' or '1'='1" }, []],
  ])('%s', async (_name, rationale, expected) => {
    expect(await symbolsMatching(rationale)).toEqual(expected);
  });

  it('filters payloads and run metadata too', async () => {
    const result = await gateway.execute(`{
      apiPayloads(first: 50, filter: { payload: { contains: { Ticker: "AAPL" } } }) { nodes { provider } }
      ingestionRuns(first: 50, filter: { metadata: { pathEquals: { path: ["trigger"], value: "cron" } } })
      { nodes { source } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.apiPayloads.nodes).toEqual([{ provider: 'quiverquant' }, { provider: 'quiverquant' }]);
    expect(result.data!.ingestionRuns.nodes).toHaveLength(2);
  });

  it.each([
    [
      'a contains that is not an object',
      { contains: 'congress_buy' },
      /`filter.rationale.contains` must be a JSON object or array/,
    ],
    ['a contains that is a number', { contains: 42 }, /must be a JSON object or array/],
    [
      'an invalid JSON path',
      { jsonPath: '$.score >>> 1' },
      /`filter.rationale.jsonPath` is not a valid SQL\/JSON path: .*syntax error/,
    ],
    [
      'an invalid exists path',
      { jsonPathExists: 'not a path (' },
      /`filter.rationale.jsonPathExists` is not a valid SQL\/JSON path/,
    ],
    ['an empty JSON path', { jsonPath: '  ' }, /must be a SQL\/JSON path of 1 to 2000 characters/],
    ['an empty key list', { hasAnyKeys: [] }, /`filter.rationale.hasAnyKeys` must hold 1 to 100 keys/],
    [
      'an empty path',
      { pathEquals: { path: [], value: 1 } },
      /`filter.rationale.pathEquals.path` must hold 1 to 32 non-empty keys/,
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_name, rationale, message) => {
    const result = await gateway.execute(decisions, { rationale });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(result.errors![0]!.message).toMatch(message);
  });
});
