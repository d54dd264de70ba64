import { Role } from '../src/auth/roles';
import { IngestionRunStatus } from '../src/entities/ingestion-run.entity';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const ids = (connection: { nodes: { databaseId: string }[] }) => connection.nodes.map((node) => node.databaseId).sort();

describe('where: across relations, on known trades', () => {
  let gateway: TestGateway;
  let trades: TradeFixture[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    trades = [];
    for (let index = 0; index < 6; index++) {
      trades.push(
        await createTrade(gateway.orm.em.fork(), {
          executionCount: index % 3,
          strategy: index % 2 ? 'Momentum' : 'Congress',
          adjust: (trade) => {
            // Trade 1 was fed by a payload answered 503; trade 4's run failed.
            if (index === 1) trade.inputs[1]!.httpStatus = 503;
            if (index === 4) trade.run.status = IngestionRunStatus.failed;
            // Trade 5's position was written with 1; its two fills of 10.5 bring it to 21.
            if (index === 5) trade.position.quantity = '1.00000000';
          },
        }),
      );
    }
  });
  afterAll(() => gateway.close());

  const decisions = (where: string) =>
    gateway.execute(`{ decisions(where: ${where}) { totalCount nodes { databaseId } } }`);

  it.each([
    ['fed by a payload answered ≥ 400', '{ inputs: { some: { httpStatus: { gte: 400 } } } }', [1]],
    ['fed by a failed ingestion run', '{ inputs: { some: { ingestionRun: { status: { eq: failed } } } } }', [4]],
    ['every input answered 200', '{ inputs: { every: { httpStatus: { eq: 200 } } } }', [0, 2, 3, 4, 5]],
    ['no execution (every holds for an empty list)', '{ executions: { every: { status: { eq: rejected } } } }', [0, 3]],
    ['some execution', '{ executions: { some: {} } }', [1, 2, 4, 5]],
    ['none: no execution', '{ executions: { none: {} } }', [0, 3]],
    ['a list with no quantifier adds no condition', '{ inputs: {} }', [0, 1, 2, 3, 4, 5]],
    [
      'or of two relations, and a column',
      '{ strategy: { eq: "Momentum" }, or: [{ inputs: { some: { httpStatus: { gte: 400 } } } }, { executions: { some: {} } }] }',
      [1, 5],
    ],
  ])('decisions %s', async (_what, where, expected) => {
    const result = await decisions(where);
    expect(result.errors).toBeUndefined();
    const want = expected.map((index) => trades[index]!.decision.databaseId).sort();
    expect(ids(result.data!.decisions)).toEqual(want);
    expect(result.data!.decisions.totalCount).toBe(want.length);
  });

  it('executions whose decision has a strategy, and payloads that fed some decision or built an execution', async () => {
    const result = await gateway.execute(`{
      executions(where: { decision: { strategy: { eq: "Momentum" } } }) { totalCount }
      fed: apiPayloads(where: { decisions: { some: {} } }) { totalCount }
      broker: apiPayloads(where: { executions: { some: { position: {} } } }) { totalCount }
      unfetched: apiPayloads(where: { not: { ingestionRun: {} } }) { totalCount }
      runs: ingestionRuns(where: { payloads: { some: { decisions: { some: { executions: { some: {} } } } } } }) { totalCount }
      lots: executions(where: { position: { quantity: { gte: "21" }, status: { eq: open } } }) { totalCount }
      signals: executions(where: { decision: { decisionRationale: { contains: { signal: "congress_buy" } } } }) {
        totalCount
      }
    }`);
    expect(result.errors).toBeUndefined();
    // Momentum trades 1, 3, 5 carry 1, 0, 2 executions; each execution has a request and a response payload.
    expect(result.data).toEqual({
      executions: { totalCount: 3 },
      fed: { totalCount: 12 },
      broker: { totalCount: 12 },
      unfetched: { totalCount: 12 },
      runs: { totalCount: 4 },
      // A related position's quantity is derived from its fills, as on the position's own list: trades 2 and 5.
      lots: { totalCount: 4 },
      signals: { totalCount: 6 },
    });
  });

  it('a page filtered through relations is one statement, and one more with totalCount', async () => {
    const query = (count: string) => `{ decisions(first: 3, where: {
        inputs: { some: { httpStatus: { gte: 400 }, ingestionRun: { status: { in: [failed, succeeded] } } } },
        executions: { every: { position: { executions: { some: {} } } } } }) { nodes { databaseId } ${count} } }`;
    const without = await gateway.countStatements(() => gateway.execute(query('')));
    const withCount = await gateway.countStatements(() => gateway.execute(query('totalCount')));
    expect(without.result.errors).toBeUndefined();
    expect(ids(without.result.data!.decisions)).toEqual([trades[1]!.decision.databaseId]);
    expect(without.statements).toBe(1);
    expect(withCount.statements).toBe(2);
    expect(withCount.sql.join('\n')).toMatch(/exists \(select 1 from decision_inputs/);
  });
});

describe('where: across relations refuses malformed input, naming the path', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  const query = 'query($w: TradeDecisionWhere) { decisions(first: 1, where: $w) { nodes { databaseId } } }';
  /** `depth` relations deep, alternating decision → inputs → decisions → … */
  const nest = (depth: number, field = 'inputs'): Record<string, unknown> =>
    depth === 0 ? {} : { [field]: { some: nest(depth - 1, field === 'inputs' ? 'decisions' : 'inputs') } };
  const pathOf = (depth: number) =>
    ['where', ...Array.from({ length: depth }, (_, i) => (i % 2 ? 'decisions.some' : 'inputs.some'))].join('.');

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  it.each([
    ['an unknown field inside a relation', { inputs: { some: { nope: { eq: 'x' } } } }, 400, /nope/, undefined],
    ['an unknown relation quantifier', { inputs: { any: {} } }, 400, /any/, undefined],
    [
      "a decision's field given to `some` of payloads",
      { inputs: { some: { strategy: { eq: 'x' } } } },
      400,
      /strategy/,
      undefined,
    ],
    [
      'a column where a list needs a quantifier',
      { inputs: { httpStatus: { gte: 400 } } },
      400,
      /httpStatus/,
      undefined,
    ],
    ['`some` given a number', { inputs: { some: 5 } }, 400, /ApiPayloadWhere/, undefined],
    ['a to-one given a list', { executions: { some: { decision: [{}] } } }, 400, /TradeDecisionWhere/, undefined],
    [
      'an in of 10,000 values inside a relation',
      { inputs: { some: { endpoint: { in: Array.from({ length: 10_000 }, (_, i) => `/e${i}`) } } } },
      200,
      /at most 1000/,
      'where.inputs.some.endpoint.in',
    ],
    [
      'more than 5000 values across relations',
      {
        or: Array.from({ length: 6 }, () => ({
          inputs: { some: { endpoint: { in: Array.from({ length: 1000 }, (_, i) => `/e${i}`) } } },
        })),
      },
      200,
      /more than 5000 values/,
      'where.or.5.inputs.some.endpoint.in',
    ],
    [
      'an invalid JSON path two relations down',
      { executions: { some: { decision: { decisionRationale: { jsonPath: '$.score >>> 1' } } } } },
      200,
      /not a valid SQL\/JSON path/,
      'where.executions.some.decision.decisionRationale.jsonPath',
    ],
    ['relations 11 deep', nest(11), 200, /deeper than 10 levels/, pathOf(10)],
  ])('%s', async (_what, where, status, message, argument) => {
    const answer = await gateway.post({ query, variables: { w: where } }, { secret });
    expect(answer.status).toBe(status);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.json.errors[0].message).toMatch(message);
    if (argument) expect(answer.json.errors[0].extensions.argument).toBe(argument);
    expect(answer.json.data ?? null).toBeNull();
    const next = await gateway.post({ query, variables: { w: nest(2) } }, { secret });
    expect(next.json.errors).toBeUndefined();
  });

  it('relations 50 deep, in the query text: refused before any SQL, naming the path', async () => {
    const text = JSON.stringify(nest(50)).replace(/"/g, '');
    const answer = await gateway.post(
      { query: `{ decisions(first: 1, where: ${text}) { nodes { databaseId } } }` },
      { secret },
    );
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.json.errors[0].extensions.argument).toBe(pathOf(10));
  });

  it('relations 50 deep as variables: refused as too deep before GraphQL reads them', async () => {
    const answer = await gateway.post({ query, variables: { w: nest(50) } }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].message).toMatch(/deep/);
  });
});
