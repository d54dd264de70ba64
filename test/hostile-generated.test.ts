import fc from 'fast-check';
import { Role } from '../src/auth/roles';
import { createTrade } from './harness/fixtures';
import { type HttpAnswer, type HttpTestGateway, queryStringOf, startHttpTestGateway } from './harness/http-gateway';
import { auditEntriesOf } from './harness/audit-entries';
import { LEAKS } from './harness/leaks';

/**
 * Characters that break naive code: NUL, lone surrogates, RTL and other controls, combining marks,
 * astral, quoting and SQL/jsonpath syntax.
 */
const awkwardCharacter = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u0301',
  '\u0336',
  '\ufeff',
  '\ufffd',
  '𝕏',
  '🏳️‍🌈',
  '"',
  "'",
  '\\',
  '$',
  '?',
  '@',
  '%',
  '_',
  ';',
  '--',
  '{',
  '[',
  '\n',
  '\u2028',
);
const hostileString = fc.oneof(
  fc.string({
    unit: fc.oneof(awkwardCharacter, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 40,
  }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((length) => 'x'.repeat(length)),
);
/**
 * JSON nested to any depth a 1 MB body can carry, written as text (JSON.stringify
 * would overflow first); half of them shallow enough for a GET's request line
 * (arrays of up to 8,000 levels fit in Node's 16 KB).
 */
const deepJsonText = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 8_000 }), fc.integer({ min: 1, max: 100_000 })), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`,
  );
const hostileJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 6 }).chain((value) =>
  fc.oneof(
    fc.constant(value),
    hostileString.map((text) => ({ [text]: value, k: text })),
    hostileString.map((text) => [text, value]),
  ),
);
/**
 * The edges of DateTime and date arguments: the first and last supported years, beyond them,
 * offsets that cross them, µs and ns.
 */
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

/** A request as a POST (its body, or raw text) and, where the raw text has a GET form, its query-string parameters. */
type Request = { body?: unknown; raw?: string; get?: Record<string, string>; headers?: Record<string, string> };
const variables =
  (query: string) =>
  (value: unknown): Request => ({ body: { query, variables: { v: value } } });

/** Every DateTime and date argument kind: filters, report periods, literals in the document. */
const DATE_TIME_ARGUMENTS = [
  variables('query($v: DateTime) { positions(first: 1, filter: { openedFrom: $v }) { nodes { id } } }'),
  variables('query($v: DateTime) { auditEvents(first: 1, filter: { occurredTo: $v }) { nodes { seq } } }'),
  variables('query($v: DateTime!) { apiErrors(since: $v, until: "2026-12-01T00:00:00Z") { endpoint } }'),
  variables('query($v: DateTime!) { apiErrors(since: "2026-01-01T00:00:00Z", until: $v) { endpoint } }'),
  (value: unknown): Request => ({
    body: { query: `{ decisions(first: 1, filter: { createdFrom: ${JSON.stringify(value)} }) { nodes { id } } }` },
  }),
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
  hostileJson.map(
    variables('query($v: JSON) { decisions(first: 1, filter: { rationale: { contains: $v } }) { nodes { id } } }'),
  ),
  hostileJson.map((value) =>
    variables(
      'query($v: JSON!) { decisions(first: 1, filter: { rationale: { pathEquals: { path: ["a"], value: $v } } ' +
        '}) { nodes { id } } }',
    )(value),
  ),
  hostileString.map(
    variables('query($v: String) { decisions(first: 1, filter: { rationale: { jsonPath: $v } }) { nodes { id } } }'),
  ),
  hostileString.map(
    variables(
      'query($v: String) { apiPayloads(first: 1, filter: { payload: { jsonPathExists: $v } }) { nodes { id } } }',
    ),
  ),
  hostileString.map(
    variables('query($v: String) { auditEvents(first: 1, filter: { data: { hasKey: $v } }) { nodes { seq } } }'),
  ),
  fc
    .array(hostileString, { maxLength: 5 })
    .map(
      variables(
        'query($v: [String!]) { decisions(first: 1, filter: { rationale: { hasAnyKeys: $v } }) { nodes { id } } }',
      ),
    ),
  // Random text in date arguments; their edges are all tried below.
  ...[...DATE_TIME_ARGUMENTS, ...DAY_ARGUMENTS].map((argument) => hostileString.map(argument)),
  // The query text itself: as a string literal, and raw.
  hostileString.map((text) => ({ body: { query: `{ search(query: ${JSON.stringify(text)}) { edges { cursor } } }` } })),
  hostileString.map((text) => ({ body: { query: text } })),
  hostileString.map((text) => ({ body: { query: `query Q { __typename } # ${text}`, operationName: text } })),
  deepJsonText.map((json) => {
    const query = 'query($v: JSON) { decisions(first: 1, filter: { rationale: { contains: $v } }) { nodes { id } } }';
    return {
      raw: `{"query":${JSON.stringify(query)},"variables":{"v":${json}}}`,
      get: { query, variables: `{"v":${json}}` },
    };
  }),
  deepJsonText.map((json) => ({
    raw: `{"query":"{ __typename }","extensions":${json}}`,
    get: { query: '{ __typename }', extensions: json },
  })),
  deepJsonText.map((json) => ({
    raw: `{"query":"{ __typename }","variables":${json}}`,
    get: { query: '{ __typename }', variables: json },
  })),
  hostileString.map((text) => ({ raw: text })),
  // A persisted-query hash that is (almost always) not the query's.
  fc
    .oneof(hostileString, fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }))
    .map((hash) => ({
      body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    })),
  // Headers carry bytes only; anything a proxy would pass. The request id always fails its pattern
  // (a leading `!`; a trailing space did not, as HTTP trims it: "---0-0-- " arrived as a valid id and
  // a shrink's repeat of it found two audit entries), so the gateway names every request afresh.
  fc.tuple(hostileString, hostileString).map(([id, accept]) => ({
    body: { query: '{ __typename }' },
    headers: { 'x-request-id': latin1(`!${id}`), accept: latin1(accept) || '*/*' },
  })),
);

/**
 * The same request as a GET, the way Apollo reads one (every operation here
 * is a query, which GET may carry): a body's fields as query-string
 * parameters, variables and extensions as JSON text. Raw text that is not
 * a JSON request has no GET form.
 */
function asGet(request: Request): Record<string, string> | undefined {
  if (request.get) return request.get;
  const body = request.body as
    { query?: string; operationName?: string; variables?: unknown; extensions?: unknown } | undefined;
  if (body?.query === undefined) return undefined;
  return {
    query: body.query,
    ...(body.operationName === undefined ? {} : { operationName: body.operationName }),
    ...(body.variables === undefined ? {} : { variables: JSON.stringify(body.variables) }),
    ...(body.extensions === undefined ? {} : { extensions: JSON.stringify(body.extensions) }),
  };
}

/**
 * Node refuses a request whose line and headers pass 16 KB (431, before any of the gateway runs);
 * well under it, the gateway answers.
 */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

/** What an HTTP header can carry (Latin-1 without controls), from any string. */
function latin1(text: string): string {
  return [...text.slice(0, 200)]
    .map((character) => (/^[\u0020-\u007e\u00a0-\u00ff]$/.test(character) ? character : '?'))
    .join('');
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
    gateway = await startHttpTestGateway({
      introspection: false,
      rateLimitPerMinute: 1_000_000,
      statementTimeoutMs: 5000,
    });
    secret = await gateway.keyFor(Role.investigator);
    admin = await gateway.keyFor(Role.admin);
    await createTrade(gateway.writer.em.fork(), { executionCount: 2 });
  });
  afterAll(() => gateway.close());

  /**
   * The answer is the caller's to fix or a result, never the gateway's failure, and it is on record
   * once: as a POST, and as a GET where it has one.
   */
  async function expectAnsweredAndRecorded(request: Request, key: string) {
    await expectAnswer(
      request,
      await gateway.post(request.body, { secret: key, raw: request.raw, headers: request.headers }),
    );
    const parameters = asGet(request);
    if (parameters === undefined) return;
    const answer = await gateway.get(parameters, { secret: key, headers: request.headers });
    if (answer.status === 431) {
      // Refused by Node's HTTP parser itself, for its size alone: not the gateway's to answer or record.
      expect(queryStringOf(parameters).length).toBeGreaterThan(NODE_MAX_HEADER_BYTES - 1024);
      return;
    }
    await expectAnswer({ ...request, get: parameters }, answer);
  }

  async function expectAnswer(request: Request, answer: HttpAnswer) {
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

  // Every edge against every date argument, not a sample: years 0001 and 9999 and just past them
  // are where the defects were.
  it.each([
    ...EDGE_DATE_TIMES.flatMap((value) =>
      DATE_TIME_ARGUMENTS.map((argument, index) => [value, `DateTime argument ${index + 1}`, argument(value)] as const),
    ),
    ...EDGE_DAYS.flatMap((value) =>
      DAY_ARGUMENTS.map((argument, index) => [value, `date argument ${index + 1}`, argument(value)] as const),
    ),
  ])('answers the date edge %s in %s without a masked internal error', (_value, _where, request) =>
    expectAnsweredAndRecorded(request, admin),
  );
});
