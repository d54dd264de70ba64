import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { importFile } from '../src/import/import-files';
import { startTestGateway, type TestGateway } from './harness/gateway';

/**
 * A decimal the record's numeric(20,8) columns hold: up to 12 integer and 8 fractional digits,
 * spelled with or without trailing zeros.
 */
const recordDecimal = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }), fc.integer({ min: 0, max: 8 }))
  .map(([units, trailingZeros]) => {
    const digits = units.toString().padStart(9, '0');
    const fraction = digits.slice(-8).replace(/0+$/, '');
    return `${digits.slice(0, -8).replace(/^0+(?=\d)/, '')}${fraction ? `.${fraction}` : ''}`.concat(
      fraction ? '0'.repeat(trailingZeros) : '',
    );
  });

/** Any JSON number, including those a double cannot hold: long integers, long fractions, exponents. */
const jsonNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.stringMatching(/^\d{1,30}$/))
    .map(([whole, fraction]) => `${whole}.${fraction}`),
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^\d{0,20}$/), fc.integer({ min: -300, max: 300 }))
    .map(([lead, rest, exponent]) => `${lead}.${rest || '0'}e${exponent}`),
);

/**
 * The trading log's numbers reach the record as written: an order's quantity
 * and price in the decision's numeric columns, and every number of the line
 * in its payload body, never rounded through a JavaScript double.
 */
describe('import keeps the numbers of a trading log exactly', () => {
  let gateway: TestGateway;
  let dir: string;
  let line = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-exact-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await gateway.close();
  });

  it("stores an order's decimals and any JSON number in its body digit for digit", async () => {
    await fc.assert(
      fc.asyncProperty(recordDecimal, recordDecimal, jsonNumber, async (quantity, price, extra) => {
        const orderId = `exact-${line++}`;
        const file = path.join(dir, 'orders.jsonl');
        await writeFile(
          file,
          `{"timestamp":"2025-03-04T10:00:00.000001+00:00","event_type":"order_submitted",` +
            `"order_id":"${orderId}","symbol":"SPY","side":"buy",` +
            `"quantity":${quantity},"price":${price},"order_type":"limit","status":"accepted","nav":1,` +
            `"model":"m","extra":${extra}}\n`,
        );
        await importFile(gateway.orm.em.fork(), file, { actor: 'test' });
        const [row] = await gateway.orm.em
          .getConnection()
          .execute<{ quantity_kept: boolean; price_kept: boolean; extra_kept: boolean }[]>(
            `select d.quantity = ?::numeric as quantity_kept, d.limit_price = ?::numeric as price_kept,
                   (p.payload->>'extra')::numeric = ?::numeric as extra_kept
             from trade_decisions d join api_payloads p on p.external_id = d.decision_id || ':request'
             where d.decision_id = ?`,
            [quantity, price, extra, orderId],
          );
        expect(row).toEqual({ quantity_kept: true, price_kept: true, extra_kept: true });
      }),
      { numRuns: 60 },
    );
  });
});
