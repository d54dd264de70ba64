import fc from 'fast-check';
import pg from 'pg';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { executionQualityModel } from './harness/execution-quality-model';
import { executions, writeExecutions } from './harness/execution-quality-rows';

const QUERY = `query($from: String!, $to: String!) { executionQuality(from: $from, to: $to) {
  strategy symbol executions fills referenceFromLimitPrice referenceFromRationale referenceFromRequest withoutReference
  decisionLatency { measured p50 p95 max } brokerLatency { measured p50 p95 max } fillLatency { measured p50 p95 max }
  slippageCost averageSlippage slippageBps worstSlippageBps } }`;

const byKey = (rows: { strategy: string | null; symbol: string }[]) =>
  [...rows].sort((a, b) =>
    JSON.stringify([a.strategy, a.symbol]).localeCompare(JSON.stringify([b.strategy, b.symbol])),
  );

describe('executionQuality: latency and slippage per strategy and symbol', () => {
  let gateway: TestGateway;
  let client: pg.Client;
  let day = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await gateway.close();
  });

  it('equals an in-memory computation for any executions: exact decimals, signed by side, null without a reference', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(executions, { minLength: 1, maxLength: 12 }), async (rows) => {
        const date = await writeExecutions(client, day++, rows);
        const result = await gateway.execute(QUERY, { from: date, to: date });
        expect(result.errors).toBeUndefined();
        expect(byKey(result.data!.executionQuality)).toEqual(byKey(executionQualityModel(rows)));
      }),
      { numRuns: 60 },
    );
  });

  it('rounds basis points once, from the exact quotient, where round(a / b, 2) would round twice', async () => {
    // A buy 10,000 above a reference of 20,000,000,000.00000001: 0.0049999999999999999975 bps.
    const reference = '20000000000.00000001';
    const [naive] = (await client.query(`select round(10000 * 10000 / $1::numeric, 2)::text as bps`, [reference])).rows;
    expect(naive.bps).toBe('0.01'); // the division rounds to 0.00500000000000000000 first
    const row = {
      decision: {
        strategy: 'Momentum',
        symbol: 'AAPL',
        side: 'buy' as const,
        limitPrice: reference,
        rationale: null,
        createdMicros: 0n,
      },
      request: null,
      response: null,
      filledQuantity: '3',
      fillPrice: '20000010000.00000001',
      submittedMicros: 1_000_000n,
      filledMicros: null,
    };
    const date = await writeExecutions(client, day++, [row]);
    const result = await gateway.execute(QUERY, { from: date, to: date });
    expect(result.data!.executionQuality).toEqual(executionQualityModel([row]));
    expect(result.data!.executionQuality[0]).toMatchObject({
      slippageCost: '30000',
      averageSlippage: '10000.00000000',
      slippageBps: '0.00',
      worstSlippageBps: '0.00',
    });
  });

  it('is read with the permission every report needs: investigators and integrity auditors, not writers', async () => {
    const as = (role: Role) => keyCaller({ id: '1', name: `a ${role}`, role, expiresAt: null }, 'test');
    const query = '{ executionQuality(from: "2030-01-01", to: "2030-01-01") { symbol } }';
    for (const [role, code] of [
      [Role.investigator, null],
      [Role.integrity, null],
      [Role.writer, 'FORBIDDEN'],
    ] as const) {
      const result = await gateway.execute(query, {}, as(role));
      expect({ role, code: result.errors?.[0]?.extensions?.code ?? null }).toEqual({ role, code });
    }
  });

  it.each([
    [
      'an impossible date',
      '{ executionQuality(from: "2026-02-30", to: "2026-03-01") { symbol } }',
      /`from` must be a date as YYYY-MM-DD/,
    ],
    [
      'a timestamp for a day',
      '{ executionQuality(from: "2026-02-01", to: "2026-03-01T00:00:00Z") { symbol } }',
      /`to` must be a date/,
    ],
    [
      'from after to',
      '{ executionQuality(from: "2026-10-16", to: "2026-10-15") { symbol } }',
      /`from` \(2026-10-16\) must not be after `to`/,
    ],
    [
      'a day past the supported range',
      '{ executionQuality(from: "2026-01-01", to: "10000-01-01") { symbol } }',
      /0001-01-01 through 9999-12-31/,
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_name, query, message) => {
    const result = await gateway.execute(query);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(result.errors![0]!.message).toMatch(message);
  });

  it('refuses a period of the wrong type before running anything', async () => {
    const result = await gateway.execute('{ executionQuality(from: 20260101, to: "2026-01-02") { symbol } }');
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('takes nearest-rank percentiles over a large group', async () => {
    const oneGroup = fc.array(executions, { minLength: 20, maxLength: 60 }).map((rows) =>
      rows.map((row) => ({
        ...row,
        decision: row.decision && { ...row.decision, strategy: 'Momentum', symbol: 'AAPL' },
      })),
    );
    await fc.assert(
      fc.asyncProperty(oneGroup, async (rows) => {
        const date = await writeExecutions(client, day++, rows);
        const result = await gateway.execute(QUERY, { from: date, to: date });
        expect(result.errors).toBeUndefined();
        expect(byKey(result.data!.executionQuality)).toEqual(byKey(executionQualityModel(rows)));
      }),
      { numRuns: 15 },
    );
  });
});
