/**
 * Issue 15 item 3 (write path): a JSON number a double cannot hold
 * (`12345678901234567890`, 25 fraction digits, `1e400`, `-0`) sent to a
 * record mutation is recorded as sent — as a variable (the request body's
 * JSON) and as a literal in the query text (the JSON scalars' parseLiteral) —
 * reads back through GraphQL digit for digit, is `unchanged` when the answer
 * is sent back, and is found by a `contains` / `pathEquals` filter. Requests
 * are written as text here, so no JavaScript number stands between the
 * generated digits and the gateway; what is stored is compared by PostgreSQL
 * (jsonb equality compares numbers as `numeric`).
 */
import fc from 'fast-check';
import { LosslessNumber, parse, stringify } from 'lossless-json';
import { Role } from '../src/auth/roles';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const sign = fc.constantFrom('', '-');
/** JSON numbers' texts that JSON.parse would round, overflow or turn into another number. */
const inexactNumbers = fc.oneof(
  fc.tuple(sign, fc.bigInt({ min: 10n ** 19n, max: 10n ** 30n - 1n })).map(([minus, whole]) => `${minus}${whole}`),
  fc
    .tuple(sign, fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.stringMatching(/^\d{19}[1-9]$|^\d{20,30}[1-9]$/))
    .map(([minus, whole, digits]) => `${minus}${whole}.${digits}`),
  fc
    .tuple(
      sign,
      fc.integer({ min: 1, max: 9 }),
      fc.constantFrom('e', 'E', 'e+', 'E-', 'e-'),
      fc.integer({ min: 309, max: 400 }),
    )
    .map(([minus, digit, e, exponent]) => `${minus}${digit}${e}${exponent}`),
  fc.constantFrom(
    '-0',
    '12345678901234567890',
    '0.1000000000000000055511151231257827',
    '9007199254740993',
    '1e400',
    '-1e400',
  ),
);
/** Numbers a double holds, mixed in: they must keep working as they did. */
const plainNumbers = fc.constantFrom('0', '1', '-42', '0.83', '10.5', '187.25');

/** A JSON value as a tree whose number leaves are texts, to be written as JSON and as a GraphQL literal. */
type Tree = { number: string } | Tree[] | { object: [string, Tree][] };
const trees: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(inexactNumbers, plainNumbers).map((number) => ({ number })),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc
      .uniqueArray(fc.tuple(fc.stringMatching(/^[a-m]{1,6}$/), tie('tree')), { maxLength: 3, selector: ([key]) => key })
      .map((object) => ({ object })),
  ),
})).tree;

function json(tree: Tree): string {
  if (Array.isArray(tree)) return `[${tree.map(json).join(', ')}]`;
  if ('number' in tree) return tree.number;
  return `{${tree.object.map(([key, value]) => `${JSON.stringify(key)}: ${json(value)}`).join(', ')}}`;
}
/** The same value in GraphQL's literal syntax (keys are names, numbers the same grammar). */
function literal(tree: Tree): string {
  if (Array.isArray(tree)) return `[${tree.map(literal).join(', ')}]`;
  if ('number' in tree) return tree.number;
  return `{${tree.object.map(([key, value]) => `${key}: ${literal(value)}`).join(', ')}}`;
}

/** A rationale or payload: an object whose key `n` holds a number a double cannot, beside random JSON. */
const documents = fc
  .tuple(
    inexactNumbers,
    fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-m]{1,6}$/), trees), { maxLength: 3, selector: ([key]) => key }),
  )
  .map(([n, rest]) => ({ n, tree: { object: [['n', { number: n }], ...rest] } as Tree }));

/** JSON with every number as `#digits`, to compare what was stored with what is answered, digit for digit. */
const digitsOf = (text: string) => parse(text, null, (digits) => `#${digits}`);
/** A number stays a JavaScript number only when it writes back as the same text, as a careful client parses. */
const exactNumber = (text: string) => (String(Number(text)) === text ? Number(text) : new LosslessNumber(text));

const DECISION_FIELDS =
  'decisionId strategy symbol side quantity orderType limitPrice status decisionRationale correlationId createdAt';
const PAYLOAD_FIELDS =
  'externalId ingestionRunId: ingestionRun { runId } direction provider endpoint httpMethod httpStatus latencyMs ' +
  'payload correlationId createdAt';

describe('exact JSON writes: numbers a double cannot hold are recorded, read back and matched exactly', () => {
  let gateway: HttpTestGateway;
  let reader: string;
  let writer: string;
  let sequence = 0;

  beforeAll(async () => {
    gateway = await startHttpTestGateway();
    reader = await gateway.keyFor(Role.investigator, { name: 'exact-writes-reader' });
    writer = await gateway.keyFor(Role.writer, { name: 'exact-writes-writer' });
  });
  afterAll(() => gateway.close());

  const sql = <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    gateway.writer.em.getConnection().execute<T[]>(text, values);

  /**
   * One request whose body is exactly `body` (JSON text); the answer's data with numbers as
   * `#digits` and as exact values.
   */
  async function send(body: string): Promise<{ digits: any; exact: any }> {
    const answer = await gateway.post(undefined, { secret: body.includes('"mutation') ? writer : reader, raw: body });
    expect({ status: answer.status, errors: (digitsOf(answer.text) as { errors?: unknown }).errors }).toEqual({
      status: 200,
      errors: undefined,
    });
    return {
      digits: (digitsOf(answer.text) as { data: unknown }).data,
      exact: (parse(answer.text, null, exactNumber) as { data: unknown }).data,
    };
  }
  const request = (query: string, variables = '{}') =>
    send(`{"query": ${JSON.stringify(query)}, "variables": ${variables}}`);

  it('as variables and as query literals, through recordDecision and recordApiPayload', async () => {
    await fc.assert(
      fc.asyncProperty(documents, async ({ n, tree }) => {
        const run = ++sequence;
        const ids = { variable: `wj-var-${run}`, literal: `wj-lit-${run}` };
        const decision = (id: string) =>
          `decisionId: "${id}", strategy: "WriteJson", symbol: "NVDA", side: buy, quantity: "1.00000000", ` +
          `orderType: "market", createdAt: "2026-10-01T14:00:00.123456Z"`;
        const payload = (id: string) =>
          `externalId: "${id}", direction: response, provider: "quiverquant", endpoint: "/wj", httpMethod: ` +
          `"GET", createdAt: "2026-10-01T14:00:00.654321Z"`;
        const decisionJson = (id: string) =>
          `{"decisionId": "${id}", "strategy": "WriteJson", "symbol": "NVDA", "side": "buy", "quantity": ` +
          `"1.00000000", "orderType": "market", "createdAt": "2026-10-01T14:00:00.123456Z", "rationale": ` +
          `${json(tree)}}`;
        const payloadJson = (id: string) =>
          `{"externalId": "${id}", "direction": "response", "provider": "quiverquant", "endpoint": "/wj", ` +
          `"httpMethod": "GET", "createdAt": "2026-10-01T14:00:00.654321Z", "payload": ${json(tree)}}`;

        // Recorded with the document as a variable, and as a literal in the query text.
        const recordDecision =
          'mutation ($r: [TradeDecisionInput!]!) { recordDecision(records: $r) { created unchanged } }';
        const recordPayload =
          'mutation ($r: [ApiPayloadInput!]!) { recordApiPayload(records: $r) { created unchanged } }';
        expect((await request(recordDecision, `{"r": [${decisionJson(ids.variable)}]}`)).exact.recordDecision).toEqual({
          created: 1,
          unchanged: 0,
        });
        expect((await request(recordPayload, `{"r": [${payloadJson(ids.variable)}]}`)).exact.recordApiPayload).toEqual({
          created: 1,
          unchanged: 0,
        });
        expect(
          (
            await request(
              `mutation { recordDecision(records: [{${decision(ids.literal)}, rationale: ${literal(tree)}}]) { ` +
                `created } }`,
            )
          ).exact.recordDecision,
        ).toEqual({ created: 1 });
        expect(
          (
            await request(
              `mutation { recordApiPayload(records: [{${payload(ids.literal)}, payload: ${literal(tree)}}]) { ` +
                `created } }`,
            )
          ).exact.recordApiPayload,
        ).toEqual({ created: 1 });

        // What PostgreSQL stores is the document sent, number for number.
        const stored = await sql<{ id: string; same: boolean }>(
          `select decision_id as id, decision_rationale = ?::jsonb as same
           from trade_decisions where decision_id in (?, ?)
           union all select external_id, payload = ?::jsonb from api_payloads where external_id in (?, ?) order by 1`,
          [json(tree), ids.literal, ids.variable, json(tree), ids.literal, ids.variable],
        );
        expect(stored.map(({ id, same }) => ({ id, same }))).toEqual(
          [ids.literal, ids.literal, ids.variable, ids.variable].map((id) => ({ id, same: true })),
        );
        const [storedDecision] = await sql<{ text: string }>(
          'select decision_rationale::text as text from trade_decisions where decision_id = ?',
          [ids.variable],
        );
        const [storedPayload] = await sql<{ text: string }>(
          'select payload::text as text from api_payloads where external_id = ?',
          [ids.variable],
        );

        // Read back through GraphQL with the stored digits; sent back as read, it is unchanged.
        const read = await request(
          `{ decision(decisionId: "${ids.variable}") { ${DECISION_FIELDS} } apiPayloads(first: 100, filter: { ` +
            `endpoint: "/wj", payload: { hasKey: "n" } }) { nodes { ${PAYLOAD_FIELDS} } } }`,
        );
        expect(read.digits.decision.decisionRationale).toEqual(digitsOf(storedDecision!.text));
        const readPayload = (read.exact.apiPayloads.nodes as { externalId: string }[]).find(
          (node) => node.externalId === ids.variable,
        ) as Record<string, any>;
        expect(
          (read.digits.apiPayloads.nodes as { externalId: string; payload: unknown }[]).find(
            (node) => node.externalId === ids.variable,
          )!.payload,
        ).toEqual(digitsOf(storedPayload!.text));
        const { decisionRationale: rationale, ...fields } = read.exact.decision;
        expect(
          (await request(recordDecision, stringify({ r: [{ ...fields, rationale }] }))).exact.recordDecision,
        ).toEqual({ created: 0, unchanged: 1 });
        const { ingestionRunId: none, ...payloadFields } = readPayload;
        expect(
          (await request(recordPayload, stringify({ r: [{ ...payloadFields, ingestionRunId: none }] }))).exact
            .recordApiPayload,
        ).toEqual({ created: 0, unchanged: 1 });

        // Filters match the stored number: contains and pathEquals, as variables (with an Int
        // beside them) and as literals.
        const found = async (query: string, variables?: string) => {
          const { exact } = await request(query, variables);
          return [...(exact.decisions?.nodes ?? []), ...(exact.apiPayloads?.nodes ?? [])].map(
            (node: { decisionId?: string; externalId?: string }) => node.decisionId ?? node.externalId,
          );
        };
        const both = expect.arrayContaining([ids.variable, ids.literal]);
        const byVariable = `query ($first: Int, $c: JSON, $v: JSON!) {
          decisions(first: $first, filter: { strategy: "WriteJson", rationale: { contains: $c } })
            { nodes { decisionId } }
          apiPayloads(first: $first,
            filter: { endpoint: "/wj", payload: { pathEquals: { path: ["n"], value: $v } } })
            { nodes { externalId } }
        }`;
        const matched = await found(byVariable, `{"first": 100, "c": {"n": ${n}}, "v": ${n}}`);
        expect(matched.filter((id) => id === ids.variable || id === ids.literal).sort()).toEqual(
          [ids.literal, ids.literal, ids.variable, ids.variable].sort(),
        );
        expect(
          await found(
            `{ decisions(first: 100, filter: { strategy: "WriteJson", rationale: { pathEquals: { ` +
              `path: ["n"], value: ${n} } } }) { nodes { decisionId } } }`,
          ),
        ).toEqual(both);
        expect(
          await found(
            `{ apiPayloads(first: 100, filter: { endpoint: "/wj", payload: { contains: { n: ${n} } } }) { ` +
              `nodes { externalId } } }`,
          ),
        ).toEqual(both);
      }),
      { numRuns: 25 },
    );
  }, 180_000);

  it('an Int variable too large for a double is BAD_USER_INPUT, not an internal error', async () => {
    const answer = await gateway.post(undefined, {
      secret: reader,
      raw:
        '{"query": "query ($first: Int) { decisions(first: $first) { nodes { decisionId } } ' +
        '}", "variables": {"first": 12345678901234567890}}',
    });
    expect(answer.status).toBeLessThan(500);
    expect(answer.json.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(answer.json.errors[0].message).toContain('12345678901234567890');
    expect(answer.json.errors[0].message).not.toMatch(/lossless/i);
  });

  it('a UTF-16 body keeps its numbers too; a charset the exact parse cannot read is refused, not rounded', async () => {
    const body =
      '{"query": "query ($c: JSON) { decisions(first: 1, filter: { rationale: { contains: $c } }) { nodes { ' +
      'decisionId } } }", "variables": {"c": {"utf16": 12345678901234567891}}}';
    const sendAs = (charset: string, bytes: Buffer) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}`, authorization: `Bearer ${reader}` },
        body: bytes,
      });
    expect((await sendAs('utf-16le', Buffer.from(body, 'utf16le'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [row] = await sql<{ same: boolean }>(
      `select variables -> 'c' = '{"utf16": 12345678901234567891}'::jsonb as same from query_audit_log
        where variables -> 'c' -> 'utf16' is not null`,
    );
    expect(row).toEqual({ same: true });
    // UTF-32LE by hand (the body is ASCII): one little-endian 32-bit unit per character.
    const utf32 = Buffer.alloc(body.length * 4);
    for (let index = 0; index < body.length; index++) utf32.writeUInt32LE(body.charCodeAt(index), index * 4);
    const refused = await sendAs('utf-32le', utf32);
    expect({
      status: refused.status,
      code: ((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    }).toEqual({ status: 415, code: 'BAD_REQUEST' });
  });

  it('the query audit log keeps the variables with their digits', async () => {
    await request(
      'query ($c: JSON) { decisions(first: 1, filter: { rationale: { contains: $c } }) { nodes { decisionId } } }',
      '{"c": {"audited": 98765432109876543210.123456789012345678901}}',
    );
    // The log is written behind the answer (group commit).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows = await sql<{ same: boolean }>(
      `select variables -> 'c' = '{"audited": 98765432109876543210.123456789012345678901}'::jsonb as same
        from query_audit_log where variables -> 'c' -> 'audited' is not null`,
    );
    expect(rows).toEqual([{ same: true }]);
  });
});
