import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { toGlobalId } from '../src/graphql/global-id';
import { startHttpServer, type RunningGateway } from '../src/server/http-server';
import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

/** Malformed requests over real HTTP: each gets a clear message and a stable extensions.code. */
describe('malformed and hostile requests', () => {
  let gateway: TestGateway;
  let http: RunningGateway;
  let decisionId: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    http = await startHttpServer(gateway.orm, { host: '127.0.0.1', port: 0 });
    decisionId = (await createTrade(gateway.orm.em.fork(), { executionCount: 1 })).decision.decisionId;
  });
  afterAll(async () => {
    await http.close();
    await gateway.close();
  });

  async function post(body: unknown, contentType = 'application/json') {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  }

  function expectCleanError(text: string) {
    expect(text).not.toMatch(/\bat \S+ \(|node_modules|select |from "|stacktrace/i);
  }

  it('serves a well-formed query', async () => {
    const { status, json } = await post({
      query: 'query($id: String!) { decision(decisionId: $id) { symbol } }',
      variables: { id: decisionId },
    });
    expect(status).toBe(200);
    expect(json.data.decision.symbol).toBe('NVDA');
  });

  const cases: [string, unknown, number, string, RegExp][] = [
    [
      'a query that does not parse',
      { query: '{ decisions(first: 1 { edges } }' },
      400,
      'GRAPHQL_PARSE_FAILED',
      /Syntax Error/,
    ],
    [
      'an unknown field',
      { query: '{ decisions { edges { node { secretColumn } } } }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
      /Cannot query field "secretColumn"/,
    ],
    [
      'an unknown argument',
      { query: '{ decisions(sqlWhere: "1=1") { nodes { id } } }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
      /Unknown argument "sqlWhere"/,
    ],
    [
      'SQL text as a where: argument',
      { query: '{ decisions(where: "1=1") { nodes { id } } }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
      /Expected value of type "TradeDecisionWhere", found "1=1"/,
    ],
    [
      'a DateTime variable that is not a date',
      {
        query: 'query($d: DateTime) { decisions(filter: { createdFrom: $d }) { nodes { id } } }',
        variables: { d: 'yesterday' },
      },
      400,
      'BAD_USER_INPUT',
      /\$d/,
    ],
    [
      'a DateTime literal that is not a date',
      { query: '{ decisions(filter: { createdFrom: "2026-13-45" }) { nodes { id } } }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
      /DateTime/,
    ],
    [
      'an Int that is a string',
      { query: 'query($n: Int) { decisions(first: $n) { nodes { id } } }', variables: { n: 'ten' } },
      400,
      'BAD_USER_INPUT',
      /Int cannot represent/,
    ],
    [
      'an unknown enum value',
      { query: '{ decisions(filter: { status: exploded }) { nodes { id } } }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
      /DecisionStatus/,
    ],
    [
      'an id that is not a global id',
      { query: '{ decision(id: "1; drop table trade_decisions") { id } }' },
      200,
      'BAD_USER_INPUT',
      /`id` is not a valid id/,
    ],
    [
      'a database id where a global id belongs',
      { query: '{ position(id: "65") { id } }' },
      200,
      'BAD_USER_INPUT',
      /`id` is not a valid id/,
    ],
    [
      'a global id beyond bigint',
      { query: `{ position(id: "${toGlobalId('Position', '9223372036854775808')}") { id } }` },
      200,
      'BAD_USER_INPUT',
      /`id` is not a valid id/,
    ],
    [
      'the id of another type',
      { query: `{ position(id: "${toGlobalId('TradeDecision', '1')}") { id } }` },
      200,
      'BAD_USER_INPUT',
      /`id` is the id of type TradeDecision, not Position/,
    ],
    [
      'an unknown type in a global id',
      { query: `{ node(id: "${Buffer.from('Account:1').toString('base64url')}") { id } }` },
      200,
      'BAD_USER_INPUT',
      /`id` is not a valid id/,
    ],
    [
      'both keys of a lookup',
      { query: `{ decision(id: "${toGlobalId('TradeDecision', '1')}", decisionId: "x") { id } }` },
      200,
      'BAD_USER_INPUT',
      /exactly one of `id` or `decisionId`/,
    ],
    [
      'neither key of a lookup',
      { query: '{ execution { id } }' },
      200,
      'BAD_USER_INPUT',
      /exactly one of `id` or `executionId`/,
    ],
    [
      'an HTTP status out of range',
      { query: '{ apiPayloads(filter: { minHttpStatus: 9000 }) { nodes { id } } }' },
      200,
      'BAD_USER_INPUT',
      /minHttpStatus/,
    ],
    [
      'a NUL character in a variable',
      { query: 'query($id: String!) { decision(decisionId: $id) { id } }', variables: { id: 'a\u0000b' } },
      400,
      'BAD_USER_INPUT',
      /must not contain NUL/,
    ],
    [
      'a NUL character in a JSON filter key',
      {
        query: 'query($f: JsonFilter) { decisions(filter: { rationale: $f }) { nodes { id } } }',
        variables: { f: { contains: { 'k\u0000': 1 } } },
      },
      400,
      'BAD_USER_INPUT',
      /must not contain NUL/,
    ],
    [
      'a NUL escape in a literal',
      { query: '{ search(query: "a\\u0000b") { nodes { rank } } }' },
      400,
      'BAD_USER_INPUT',
      /must not contain NUL/,
    ],
    // Clean documents are remembered, documents with a NUL are not: a repeat is refused again.
    [
      'the same NUL escape again',
      { query: '{ search(query: "a\\u0000b") { nodes { rank } } }' },
      400,
      'BAD_USER_INPUT',
      /must not contain NUL/,
    ],
    ['a body without a query', { variables: {} }, 400, 'BAD_REQUEST', /query/],
  ];
  it.each(cases)('%s', async (_name, body, status, code, message) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.json.errors[0].extensions.code).toBe(code);
    expect(response.json.errors[0].message).toMatch(message);
    expectCleanError(response.text);
  });

  it('refuses a body that is not JSON with 400 and no stack', async () => {
    const response = await post('{"query": "{ decisions', 'application/json');
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toEqual({
      message: 'the request body is not valid JSON',
      extensions: { code: 'BAD_REQUEST' },
    });
    expectCleanError(response.text);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const response = await post({
      query: `{ decisions { nodes { id } } }`,
      variables: { padding: 'x'.repeat(1_100_000) },
    });
    expect(response.status).toBe(413);
    expect(response.json.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses text/plain bodies (CSRF protection)', async () => {
    const response = await post(JSON.stringify({ query: '{ decisions { nodes { id } } }' }), 'text/plain');
    expect(response.status).toBe(400);
  });

  it('counts operations and error codes in /metrics', async () => {
    await post({ query: `query DecisionLookup { decision(id: "${toGlobalId('TradeDecision', '1')}") { id } }` });
    const { secret } = await createApiKey(gateway.orm.em.fork(), 'errors-test', {
      name: 'prometheus',
      role: Role.admin,
    });
    const metrics = await (await fetch(http.metricsUrl, { headers: { authorization: `Bearer ${secret}` } })).text();
    expect(metrics).toMatch(
      new RegExp(
        /auditgraph_graphql_operation_duration_seconds_count/.source +
          /\{operation_name="DecisionLookup",operation_type="query"\} [1-9]/.source,
      ),
    );
    expect(metrics).toMatch(/auditgraph_graphql_errors_total\{code="GRAPHQL_PARSE_FAILED"\} [1-9]/);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('masks database failures: no SQL, no table names, a stable INTERNAL_SERVER_ERROR', async () => {
    // Break this file's own database underneath the gateway.
    await gateway.orm.em.getConnection().execute('alter table positions rename to positions_gone');
    try {
      const response = await post({ query: '{ positions { nodes { id } } }' });
      expect(response.json.errors).toEqual([
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 3 }],
          path: ['positions'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(response.text).not.toMatch(/positions_gone|relation|does not exist/);
    } finally {
      await gateway.orm.em.getConnection().execute('alter table positions_gone rename to positions');
    }
  });
});
