import fc from 'fast-check';
import { MAX_TRAIL_LENGTH } from '../src/queries/correlation-trail';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';

// The trail's ties (payloads of one intent recorded in the same instant) are
// broken by id; ids around digit-count boundaries tell a numeric tiebreak from
// a textual one ("10" < "9").

const trailQuery = 'query($id: String!) { correlated(correlationId: $id) { databaseId } }';
const boundary = fc.integer({ min: 1, max: 18 }).map((digits) => 10n ** BigInt(digits));
const ids = fc.uniqueArray(
  fc.tuple(boundary, fc.integer({ min: -5, max: 5 })).map(([at, offset]) => String(at + BigInt(offset))),
  { minLength: 2, maxLength: 8 },
);

describe('correlated(correlationId:) keeps records of the same instant in id order', () => {
  let gateway: TestGateway;
  let intent = 0;
  const used = new Set<string>();

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('orders equal times by id as a number, for any ids', async () => {
    await fc.assert(
      fc.asyncProperty(ids, async (drawn) => {
        // Each case an intent of its own, with ids no earlier case took: records are append-only.
        const correlationId = `intent-order-${++intent}`;
        const payloadIds = drawn.filter((id) => !used.has(id));
        for (const id of payloadIds) used.add(id);
        await withClient(gateway.database.url, (client) =>
          client.query(
            `insert into api_payloads
              (id, direction, provider, endpoint, http_method, payload_bytes, correlation_id, created_at)
             select id, 'response', 'alpaca', '/v2/orders', 'POST', 0, $2, '2026-10-01T14:00:00Z'
             from unnest($1::bigint[]) id`,
            [payloadIds, correlationId],
          ),
        );
        const result = await gateway.execute(trailQuery, { id: correlationId });
        expect(result.errors).toBeUndefined();
        const byNumber = [...payloadIds].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        expect(result.data!.correlated.map((node: { databaseId: string }) => node.databaseId)).toEqual(byNumber);
      }),
      { numRuns: 20 },
    );
  });

  it(
    `answers a trail of ${MAX_TRAIL_LENGTH} records whole, and refuses one more with RESULT_TOO_LARGE instead of ` +
      `cutting it`,
    async () => {
      // Explicit ids far above the other case's (which took ids near powers of ten up to 10^18).
      const record = (correlationId: string, firstId: bigint, count: number) =>
        withClient(gateway.database.url, (client) =>
          client.query(
            `insert into api_payloads
              (id, direction, provider, endpoint, http_method, payload_bytes, correlation_id, created_at)
           select $2::bigint + n, 'response', 'alpaca', '/v2/orders', 'POST', 0, $1, '2026-10-02T14:00:00Z'
           from generate_series(1, $3::int) n`,
            [correlationId, firstId.toString(), count],
          ),
        );
      await record('intent-at-the-cap', 8n * 10n ** 18n, MAX_TRAIL_LENGTH);
      await record('intent-past-the-cap', 8n * 10n ** 18n + 10_000n, MAX_TRAIL_LENGTH + 1);
      const atTheCap = await gateway.execute(trailQuery, { id: 'intent-at-the-cap' });
      expect(atTheCap.errors).toBeUndefined();
      expect(atTheCap.data!.correlated).toHaveLength(MAX_TRAIL_LENGTH);
      const pastTheCap = await gateway.execute(trailQuery, { id: 'intent-past-the-cap' });
      expect(pastTheCap.data).toBeNull();
      expect(pastTheCap.errors!.map((error) => [error.extensions?.code, error.message])).toEqual([
        ['RESULT_TOO_LARGE', expect.stringContaining(`more than ${MAX_TRAIL_LENGTH} records`)],
      ]);
    },
  );
});
