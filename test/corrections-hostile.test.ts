import fc from 'fast-check';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/entities/api-key.entity';
import { toGlobalId } from '../src/graphql/global-id';
import { createTrade } from './harness/fixtures';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';

// Corrections are checked as the record mutations check their values, refused
// with stable codes, and land whole (the correction, the row, the event) or not at all.

const writer = keyCaller({ id: '1', name: 'hostile corrector', role: Role.writer, expiresAt: null }, 'test');
const reader = keyCaller({ id: '2', name: 'reader', role: Role.investigator, expiresAt: null }, 'test');
const CORRECT = `mutation($id: ID!, $fields: JSONObject!, $reason: String!) {
  correctRecord(id: $id, fields: $fields, reason: $reason) { id corrected superseded }
}`;
const EXECUTION_FIELDS =
  'brokerOrderId filledQuantity fillPrice commission errorMessage submittedAt filledAt recordedStatus executionId createdAt position { id } decision { id }';

let gateway: TestGateway;
let executionId: string;
let otherPosition: string;
let firstPosition: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const [one, two] = [
    await createTrade(gateway.orm.em.fork(), { executionCount: 1 }),
    await createTrade(gateway.orm.em.fork(), { executionCount: 1 }),
  ];
  executionId = toGlobalId('TradeExecution', one.executions[0]!.id);
  otherPosition = toGlobalId('Position', two.position.id);
  firstPosition = toGlobalId('Position', one.position.id);
});
afterAll(() => gateway.close());

const correct = (id: string, fields: unknown, reason: unknown = 'a wrong value') =>
  gateway.execute(CORRECT, { id, fields, reason }, writer);
/** Everything a correction could touch: the execution as the API answers it, and the counts of corrections and events. */
const state = async () => {
  const answer = await gateway.execute(
    `query($id: ID!) { execution(id: $id) { ${EXECUTION_FIELDS} corrections(last: 1) { totalCount nodes { id } } } }`,
    { id: executionId },
    reader,
  );
  const counts = await withClient(gateway.database.url, async (client) => {
    const { rows } = await client.query(
      `select (select count(*) from record_corrections)::int as corrections,
              (select count(*) from audit_events where event = 'record_corrected')::int as events`,
    );
    return rows[0] as { corrections: number; events: number };
  });
  return { execution: answer.data!.execution, ...counts };
};

const HOSTILE: [string, Record<string, unknown>, string?][] = [
  ['an unknown field', { nope: 1 }],
  ['the id', { id: 'x' }],
  ['the database id', { databaseId: '1' }],
  ['the external key', { executionId: 'exe-x' }],
  ['createdAt', { createdAt: '2026-01-01T00:00:00Z' }],
  ['the status', { status: 'rejected' }],
  ['the recorded status', { recordedStatus: 'rejected' }],
  ['a relation that is a list', { executions: [] }],
  ['no field at all', {}],
  ['a price not above 0', { fillPrice: '0' }],
  ['a negative quantity', { filledQuantity: '-0.00000001' }],
  ['a null where the field is required', { filledQuantity: null }],
  ['a decimal as a number', { fillPrice: 187.5 }],
  ['a decimal of 13 integer digits', { fillPrice: '1234567890123.5' }],
  ['a decimal of 9 fractional digits', { commission: '0.000000001' }],
  ['a decimal in exponent form', { fillPrice: '1e3' }],
  ['a huge decimal', { fillPrice: '9'.repeat(400) }],
  ['an instant before year 1', { submittedAt: '0000-12-31T23:59:59Z' }],
  ['an instant after year 9999', { filledAt: '10000-01-01T00:00:00Z' }],
  ['a day that does not exist', { filledAt: '2026-02-30T00:00:00Z' }],
  ['an instant of 7 fractional digits', { filledAt: '2026-03-31T14:30:00.1234567Z' }],
  ['an instant without an offset', { filledAt: '2026-03-31T14:30:00' }],
  ['empty text', { brokerOrderId: '' }],
  ['blank text', { errorMessage: '   ' }],
  ['text of 501 characters', { errorMessage: 'x'.repeat(501) }],
  ['text as a number', { brokerOrderId: 42 }],
  ['text as an object', { brokerOrderId: { a: 1 } }],
  ['NUL in text', { errorMessage: 'a\u0000b' }],
  ['a lone surrogate', { errorMessage: 'a\ud800b' }],
  ['a malformed global id', { position: 'not an id' }],
  ['a global id of another type', { position: toGlobalId('TradeDecision', '1') }],
  ['a position that is not recorded', { position: toGlobalId('Position', '999999999') }],
  ['a relation as a number', { position: 1 }],
  ['a no-op', { fillPrice: '187.25' }],
  ['one good field beside a bad one', { commission: '0.02', fillPrice: '-1' }],
  ['a bad reason: empty', { fillPrice: '190' }, ''],
  ['a bad reason: too long', { fillPrice: '190' }, 'x'.repeat(2001)],
];

describe('hostile corrections are refused clearly, and nothing is half-written', () => {
  // A rest parameter: jest takes a callback with more parameters than the row has for one wanting `done`.
  it.each(HOSTILE)('%s: BAD_USER_INPUT', async (...[, fields, reason]) => {
    const before = await state();
    const result = await correct(executionId, fields, reason ?? 'a wrong value');
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message.length).toBeLessThan(400);
    expect(await state()).toEqual(before);
  });

  it('an unknown record is RECORD_NOT_FOUND (as for proofs); an id that is not one is BAD_USER_INPUT', async () => {
    const unknown = await correct(toGlobalId('TradeExecution', '999999999'), { fillPrice: '190' });
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'RECORD_NOT_FOUND', argument: 'id' } });
    const malformed = await correct('TradeExecution:1', { fillPrice: '190' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('edge values that are valid are corrected exactly: the first and last instants, Unicode, the largest decimal', async () => {
    const fields = {
      submittedAt: '0001-01-01T00:00:00Z',
      filledAt: '9999-12-31T23:59:59.999999Z',
      errorMessage: 'Ünïcødé ✓ 😀 — مرحبا',
      fillPrice: '999999999999.99999999',
      position: otherPosition,
    };
    const result = await correct(executionId, fields);
    expect(result.errors).toBeUndefined();
    expect(result.data!.correctRecord.corrected).toEqual({
      ...fields,
      submittedAt: '0001-01-01T00:00:00.000000Z',
      filledAt: '9999-12-31T23:59:59.999999Z',
    });
    const { execution } = await state();
    expect(execution).toMatchObject({ ...result.data!.correctRecord.corrected, position: { id: otherPosition } });
  });

  it('a writer may correct; a reader may not', async () => {
    const refused = await gateway.execute(
      CORRECT,
      { id: executionId, fields: { fillPrice: '191' }, reason: 'r' },
      reader,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('for any set of fields and values, a correction commits whole or leaves nothing', () => {
  // Built when the test runs: the other trade's position exists by then.
  /** Mostly valid values, some refused ones: both outcomes are taken often. */
  const mostly = (valid: fc.Arbitrary<unknown>, refused: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: refused, weight: 1 });
  const valuesOf = (): Record<string, fc.Arbitrary<unknown>> => ({
    fillPrice: mostly(fc.integer({ min: 1, max: 10 ** 6 }).map(String), fc.constantFrom('0', '-1', '1e2', 1, null)),
    filledQuantity: mostly(
      fc.integer({ min: 0, max: 999 }).map((n) => `${n}.5`),
      fc.constantFrom('-1', null),
    ),
    commission: mostly(
      fc.oneof(
        fc.constant(null),
        fc.integer({ min: 0, max: 99 }).map((n) => `0.${n}`),
      ),
      fc.constant('-0.01'),
    ),
    brokerOrderId: mostly(fc.stringMatching(/^[A-Za-z0-9Ü✓-]{1,20}$/), fc.constantFrom('', 7)),
    filledAt: mostly(
      fc
        .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString()),
      fc.constant('2026-13-01T00:00:00Z'),
    ),
    position: mostly(fc.constantFrom(null, otherPosition, firstPosition), fc.constant('junk')),
  });
  /** Now and then a field no correction may set. */
  const fixedFields = fc.constantFrom(
    {},
    {},
    {},
    {},
    {},
    { status: 'rejected' },
    { createdAt: '2026-01-01T00:00:00Z' },
  );

  it('row and correction together, or neither', async () => {
    const outcomes = { committed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.record(valuesOf(), { requiredKeys: [] }), fixedFields, async (values, fixed) => {
        const fields = { ...values, ...fixed };
        const before = await state();
        const result = await correct(executionId, fields);
        const after = await state();
        if (result.errors) {
          expect(result.errors.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          expect(after).toEqual(before);
          outcomes.refused++;
          return;
        }
        outcomes.committed++;
        const { corrected, superseded } = result.data!.correctRecord;
        expect(Object.keys(corrected).sort()).toEqual(Object.keys(fields).sort());
        expect(after.corrections).toBe(before.corrections + 1);
        expect(after.events).toBe(before.events + 1);
        expect(after.execution.corrections.nodes.at(-1).id).toBe(result.data!.correctRecord.id);
        for (const [field, value] of Object.entries(corrected as Record<string, unknown>)) {
          const answered = field === 'position' ? (after.execution.position?.id ?? null) : after.execution[field];
          const was = field === 'position' ? (before.execution.position?.id ?? null) : before.execution[field];
          expect(answered).toEqual(value);
          expect(was).toEqual(superseded[field]);
        }
      }),
      { numRuns: 80 },
    );
    // Both ways were taken: the property is not only ever refusals.
    expect(outcomes.committed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
