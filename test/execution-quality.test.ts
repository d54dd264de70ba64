import fc from 'fast-check';
import pg from 'pg';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { executionQualityModel, type ModelExecution } from './harness/execution-quality-model';

const QUERY = `query($from: String!, $to: String!) { executionQuality(from: $from, to: $to) {
  strategy symbol executions fills referenceFromLimitPrice referenceFromRationale referenceFromRequest withoutReference
  decisionLatency { measured p50 p95 max } brokerLatency { measured p50 p95 max } fillLatency { measured p50 p95 max }
  slippageCost averageSlippage slippageBps worstSlippageBps } }`;

const DAY_MICROS = 86_400_000_000n;
const micros = (value: bigint) => {
  const iso = new Date(Number(value / 1000n)).toISOString().slice(0, 19);
  return `${iso}.${(value % 1_000_000n).toString().padStart(6, '0')}Z`;
};

// Decimals with up to 8 places, from a hundred-millionth to prices a float could not hold exactly.
const decimals = fc
  .tuple(fc.bigInt({ min: 0n, max: 99_999_999_999n }), fc.integer({ min: 0, max: 8 }))
  .map(([digits, places]) => {
    const text = digits.toString().padStart(places + 1, '0');
    return places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
  });
const positive = decimals.filter((text) => /[1-9]/.test(text));
/** A JSON value where a price may be: a number, a string of digits, or something the report must pass over. */
const jsonPrices = fc.oneof(
  positive.map((text) => text),
  positive.map((text) => JSON.stringify(text)),
  fc.constantFrom('"abc"', '-3', '0', '"-1.5"', 'null', '{"value": 1}'),
);
const member = (key: string, value: string | null) => (value === null ? [] : [`"${key}": ${value}`]);

const executions: fc.Arbitrary<ModelExecution> = fc
  .record({
    decision: fc.option(
      fc.record({
        strategy: fc.constantFrom('Momentum', 'Congress'),
        symbol: fc.constantFrom('AAPL', 'NVDA'),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        limitPrice: fc.option(positive),
        rationale: fc.option(
          fc
            .option(jsonPrices)
            .map((price) => `{${['"signal": "s"', ...member('reference_price', price)].join(', ')}}`),
        ),
        leadMicros: fc.bigInt({ min: 0n, max: 60_000_000n }),
      }),
    ),
    request: fc.option(
      fc.record({
        symbol: fc.option(fc.constantFrom('"NVDA"', '"TSLA"')),
        side: fc.option(fc.constantFrom('"buy"', '"sell"', '"hold"')),
        limitPrice: fc.option(jsonPrices),
      }),
    ),
    response: fc.option(
      fc.record({
        latencyMs: fc.option(fc.integer({ min: 0, max: 5000 })),
        afterMicros: fc.bigInt({ min: 0n, max: 9_000_000n }),
      }),
    ),
    filledQuantity: fc.oneof(fc.constant('0'), positive),
    fillPrice: fc.option(positive),
    atMicros: fc.bigInt({ min: 0n, max: DAY_MICROS - 20_000_000n }),
    fillMicros: fc.option(fc.bigInt({ min: 0n, max: 10_000_000n })),
  })
  .map((drawn) => ({
    decision: drawn.decision && {
      ...drawn.decision,
      createdMicros: drawn.atMicros - drawn.decision.leadMicros,
    },
    request: drawn.request && {
      body: `{${[...member('symbol', drawn.request.symbol), ...member('side', drawn.request.side), ...member('limit_price', drawn.request.limitPrice)].join(', ')}}`,
      createdMicros: drawn.atMicros,
    },
    response: drawn.response && {
      latencyMs: drawn.response.latencyMs,
      createdMicros: drawn.atMicros + drawn.response.afterMicros,
    },
    filledQuantity: drawn.filledQuantity,
    fillPrice: drawn.fillPrice,
    submittedMicros: drawn.atMicros,
    filledMicros: drawn.fillMicros === null ? null : drawn.atMicros + drawn.fillMicros,
  }));

const byKey = (rows: { strategy: string | null; symbol: string }[]) =>
  [...rows].sort((a, b) =>
    JSON.stringify([a.strategy, a.symbol]).localeCompare(JSON.stringify([b.strategy, b.symbol])),
  );

describe('executionQuality: latency and slippage per strategy and symbol', () => {
  let gateway: TestGateway;
  let client: pg.Client;
  let day = 0;

  /** Writes the executions on a day of their own (records cannot be deleted), returning that day. */
  async function write(rows: ModelExecution[]): Promise<string> {
    const start = BigInt(Date.UTC(2030, 0, 1)) * 1000n + BigInt(day++) * DAY_MICROS;
    const at = (offset: bigint) => micros(start + offset);
    await client.query('begin');
    for (const [index, row] of rows.entries()) {
      const insert = async (sql: string, values: unknown[]) => (await client.query(sql, values)).rows[0]?.id ?? null;
      const decisionId = row.decision
        ? await insert(
            `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, limit_price, status,
               decision_rationale, created_at) values ($1, $2, $3, $4, 1, 'limit', $5, 'executed', $6, $7) returning id`,
            [
              `q${day}-${index}`,
              row.decision.strategy,
              row.decision.symbol,
              row.decision.side,
              row.decision.limitPrice,
              row.decision.rationale,
              at(row.decision.createdMicros),
            ],
          )
        : null;
      const payload = (direction: string, body: string | null, latencyMs: number | null, createdMicros: bigint) =>
        insert(
          `insert into api_payloads (direction, provider, endpoint, http_method, http_status, latency_ms, payload,
             payload_bytes, created_at) values ($1, 'alpaca', '/v2/orders', 'POST', $2, $3, $4, 0, $5) returning id`,
          [direction, direction === 'response' ? 200 : null, latencyMs, body, at(createdMicros)],
        );
      const requestId = row.request
        ? await payload('request', row.request.body, null, row.request.createdMicros)
        : null;
      const responseId = row.response
        ? await payload('response', '{}', row.response.latencyMs, row.response.createdMicros)
        : null;
      await client.query(
        `insert into trade_executions (execution_id, trade_decision_id, status, filled_quantity, fill_price,
           api_request_payload_id, api_response_payload_id, submitted_at, filled_at, created_at)
         values ($1, $2, 'filled', $3, $4, $5, $6, $7, $8, $7)`,
        [
          `qe${day}-${index}`,
          decisionId,
          row.filledQuantity,
          row.fillPrice,
          requestId,
          responseId,
          at(row.submittedMicros),
          row.filledMicros === null ? null : at(row.filledMicros),
        ],
      );
    }
    await client.query('commit');
    return at(0n).slice(0, 10);
  }

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
        const date = await write(rows);
        const result = await gateway.execute(QUERY, { from: date, to: date });
        expect(result.errors).toBeUndefined();
        expect(byKey(result.data!.executionQuality)).toEqual(byKey(executionQualityModel(rows)));
      }),
      { numRuns: 60 },
    );
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
        const date = await write(rows);
        const result = await gateway.execute(QUERY, { from: date, to: date });
        expect(result.errors).toBeUndefined();
        expect(byKey(result.data!.executionQuality)).toEqual(byKey(executionQualityModel(rows)));
      }),
      { numRuns: 15 },
    );
  });
});
