import fc from 'fast-check';
import { Role } from '../src/auth/roles';
import { createTrade } from './harness/fixtures';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { auditEntriesOf } from './harness/audit-entries';
import { LEAKS } from './harness/leaks';

/** Characters that break naive code: NUL, lone surrogates, RTL and other controls, combining marks, astral, quoting and SQL/jsonpath syntax. */
const awkwardCharacter = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\u202e', '\u200f', '\u0301', '\u0336', '\ufeff', '\ufffd', '𝕏', '🏳️‍🌈', '"', "'", '\\', '$', '?', '@', '%', '_', ';', '--', '{', '[', '\n', '\u2028');
const hostileString = fc.oneof(
  fc.string({ unit: fc.oneof(awkwardCharacter, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((length) => 'x'.repeat(length)),
);
/** JSON nested to any depth a 1 MB body can carry, written as text (JSON.stringify would overflow first). */
const deepJsonText = fc
  .tuple(fc.integer({ min: 1, max: 100_000 }), fc.boolean())
  .map(([depth, objects]) => (objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`));
const hostileJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 6 }).chain((value) =>
  fc.oneof(fc.constant(value), hostileString.map((text) => ({ [text]: value, k: text })), hostileString.map((text) => [text, value])),
);
/** The edges of DateTime and date arguments: the first and last supported years, beyond them, offsets that cross them, µs and ns. */
const EDGE_DATE_TIMES = [
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:00:00+14:00',
    '0000-12-31T23:59:59Z',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:59:59-12:00',
    '9999-12-31T23:59:59.999999Z',
    '10000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-10-01T14:00:00.1234567Z',
    '1970-01-01T00:00:00Z',
    'not a date',
];
const EDGE_DAYS = ['0001-01-01', '0099-12-31', '9999-12-31', '10000-01-01', '2026-02-30', '9999Q4', '0001Q1', '2026Q5'];

type Request = { body?: unknown; raw?: string; headers?: Record<string, string> };
const variables = (query: string) => (value: unknown): Request => ({ body: { query, variables: { v: value } } });

/** Every DateTime and date argument kind: filters, report periods, literals in the document. */
const DATE_TIME_ARGUMENTS = [
  variables('query($v: DateTime) { positions(first: 1, filter: { openedFrom: $v }) { nodes { id } } }'),
  variables('query($v: DateTime) { auditEvents(first: 1, filter: { occurredTo: $v }) { nodes { seq } } }'),
  variables('query($v: DateTime!) { apiErrors(since: $v, until: "2026-12-01T00:00:00Z") { endpoint } }'),
  variables('query($v: DateTime!) { apiErrors(since: "2026-01-01T00:00:00Z", until: $v) { endpoint } }'),
  (value: unknown): Request => ({ body: { query: `{ decisions(first: 1, filter: { createdFrom: ${JSON.stringify(value)} }) { nodes { id } } }` } }),
];
const DAY_ARGUMENTS = [
  variables('query($v: String!) { dailySummary(date: $v) { __typename } }'),
  variables('query($v: String) { integrityReport(quarter: $v) { __typename } }'),
  variables('query($v: String) { integrityReport(from: $v, to: "2026-12-01") { __typename } }'),
];

/** Where hostile values go: every kind of argument, the query text, the operation name, headers, the body itself. */
const hostileRequest: fc.Arbitrary<Request> = fc.oneof(
  hostileString.map(variables('query($v: String!) { search(query: $v) { edges { cursor } } }')),
  hostileString.map(variables('query($v: String!) { decision(decisionId: $v) { id } }')),
  hostileString.map(variables('query($v: ID!) { node(id: $v) { id } }')),
  hostileString.map(variables('query($v: [ID!]!) { nodes(ids: [$v, $v]) { id } }')),
  hostileString.map(variables('query($v: String) { positions(first: 2, after: $v) { nodes { id } } }')),
  hostileString.map(variables('query($v: String) { executions(last: 2, before: $v) { nodes { id } } }')),
  hostileString.map(variables('query($v: ID!) { lineage(from: $v) { nodes { id } } }')),
  hostileJson.map(variables('query($v: JSON) { decisions(first: 1, filter: { rationale: { contains: $v } }) { nodes { id } } }')),
  hostileJson.map((value) => variables('query($v: JSON!) { decisions(first: 1, filter: { rationale: { pathEquals: { path: ["a"], value: $v } } }) { nodes { id } } }')(value)),
  hostileString.map(variables('query($v: String) { decisions(first: 1, filter: { rationale: { jsonPath: $v } }) { nodes { id } } }')),
  hostileString.map(variables('query($v: String) { apiPayloads(first: 1, filter: { payload: { jsonPathExists: $v } }) { nodes { id } } }')),
  hostileString.map(variables('query($v: String) { auditEvents(first: 1, filter: { data: { hasKey: $v } }) { nodes { seq } } }')),
  fc.array(hostileString, { maxLength: 5 }).map(variables('query($v: [String!]) { decisions(first: 1, filter: { rationale: { hasAnyKeys: $v } }) { nodes { id } } }')),
  // Random text in date arguments; their edges are all tried below.
  ...[...DATE_TIME_ARGUMENTS, ...DAY_ARGUMENTS].map((argument) => hostileString.map(argument)),
  // The query text itself: as a string literal, and raw.
  hostileString.map((text) => ({ body: { query: `{ search(query: ${JSON.stringify(text)}) { edges { cursor } } }` } })),
  hostileString.map((text) => ({ body: { query: text } })),
  hostileString.map((text) => ({ body: { query: `query Q { __typename } # ${text}`, operationName: text } })),
  deepJsonText.map((json) => ({ raw: `{"query":"query($v: JSON) { decisions(first: 1, filter: { rationale: { contains: $v } }) { nodes { id } } }","variables":{"v":${json}}}` })),
  deepJsonText.map((json) => ({ raw: `{"query":"{ __typename }","extensions":${json}}` })),
  deepJsonText.map((json) => ({ raw: `{"query":"{ __typename }","variables":${json}}` })),
  hostileString.map((text) => ({ raw: text })),
  // Headers carry bytes only; anything a proxy would pass. The request id always fails its pattern, so the gateway names every request afresh.
  fc.tuple(hostileString, hostileString).map(([id, accept]) => ({
    body: { query: '{ __typename }' },
    headers: { 'x-request-id': latin1(`${id} `), accept: latin1(accept) || '*/*' },
  })),
);

/** What an HTTP header can carry (Latin-1 without controls), from any string. */
function latin1(text: string): string {
  return [...text.slice(0, 200)].map((character) => (/^[\u0020-\u007e\u00a0-\u00ff]$/.test(character) ? character : '?')).join('');
}

/**
 * Generated hostile input over real HTTP to a real gateway (keys required,
 * introspection off): whatever is sent, the answer is not a 5xx and names no
 * internal error, leaks no SQL, driver text or stack, and the request has
 * exactly one entry in the query audit log, committed before the answer left.
 */
describe('generated hostile input', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  let admin: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ introspection: false, rateLimitPerMinute: 1_000_000, statementTimeoutMs: 5000 });
    secret = await gateway.keyFor(Role.investigator);
    admin = await gateway.keyFor(Role.admin);
    await createTrade(gateway.writer.em.fork(), { executionCount: 2 });
  });
  afterAll(() => gateway.close());


  /** The answer is the caller's to fix or a result, never the gateway's failure, and it is on record once. */
  async function expectAnsweredAndRecorded(request: Request, key: string) {
    const answer = await gateway.post(request.body, { secret: key, raw: request.raw, headers: request.headers });
    const failures = ((answer.json?.errors ?? []) as { extensions?: { code?: string } }[])
      .map((error) => error.extensions?.code)
      .filter((code) => code === 'INTERNAL_SERVER_ERROR' || code === 'AUDIT_LOG_UNAVAILABLE');
    expect({ request, status: answer.status < 500, failures }).toEqual({ request, status: true, failures: [] });
    expect(answer.text).not.toMatch(LEAKS);
    expect(answer.json).toBeDefined();
    expect(await auditEntriesOf(gateway.writer, answer.headers.get('x-request-id'))).toBe(1);
  }

  it('answers every request without a 5xx or a leak, and records each exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, (request) => expectAnsweredAndRecorded(request, secret)),
      { numRuns: 300 },
    );
  });

  // Every edge against every date argument, not a sample: years 0001 and 9999 and just past them are where the defects were.
  it.each([
    ...EDGE_DATE_TIMES.flatMap((value) => DATE_TIME_ARGUMENTS.map((argument, index) => [value, `DateTime argument ${index + 1}`, argument(value)] as const)),
    ...EDGE_DAYS.flatMap((value) => DAY_ARGUMENTS.map((argument, index) => [value, `date argument ${index + 1}`, argument(value)] as const)),
  ])('answers the date edge %s in %s without a masked internal error', (_value, _where, request) => expectAnsweredAndRecorded(request, admin));
});
