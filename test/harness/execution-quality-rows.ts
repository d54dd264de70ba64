import fc from 'fast-check';
import type pg from 'pg';
import type { ModelExecution } from './execution-quality-model';

/**
 * Random executions for the execution-quality property test — decisions or
 * none, broker payloads or none, prices as JSON numbers, digit strings or
 * junk — and their writing, each batch on a UTC day of its own (records
 * cannot be deleted, so a batch is told apart by its period).
 */

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

export const executions: fc.Arbitrary<ModelExecution> = fc
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

/** Writes `rows` in one transaction on day `day` after 2030-01-01; returns that day, YYYY-MM-DD. */
export async function writeExecutions(client: pg.Client, day: number, rows: ModelExecution[]): Promise<string> {
  const start = BigInt(Date.UTC(2030, 0, 1)) * 1000n + BigInt(day) * DAY_MICROS;
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
    const requestId = row.request ? await payload('request', row.request.body, null, row.request.createdMicros) : null;
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
