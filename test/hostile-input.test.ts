import { gzipSync } from 'node:zlib';
import { Role } from '../src/auth/roles';
import { MAX_VARIABLES_DEPTH } from '../src/json/variables-depth';
import { createTrade } from './harness/fixtures';
import { type HttpAnswer, type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { auditEntriesOf } from './harness/audit-entries';
import { LEAKS } from './harness/leaks';

function expectNothingLeaked(answer: HttpAnswer) {
  expect(answer.text).not.toMatch(LEAKS);
}

const nested = (depth: number) => {
  let selection = 'id';
  for (let level = 0; level < depth; level++)
    selection =
      level % 2 === 0 ? `position { executions { nodes { ${selection} } } }` : `executions { nodes { ${selection} } }`;
  return `{ executions(first: 1) { nodes { ${selection} } } }`;
};

/**
 * Careless and hostile requests over HTTP, against the gateway as production
 * runs it (keys required, introspection off, read-only sessions): each gets
 * the right status and code, nothing internal leaks, and the gateway keeps serving.
 */
describe('hostile input', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  let positionId: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({
      introspection: false,
      statementTimeoutMs: 1000,
      rateLimitPerMinute: 10_000,
    });
    secret = await gateway.keyFor(Role.investigator);
    positionId = (await createTrade(gateway.writer.em.fork(), { executionCount: 1 })).position.nodeId;
  });
  afterEach(async () => {
    const still = await gateway.post({ query: `{ position(id: "${positionId}") { symbol } }` }, { secret });
    expect(still.json).toEqual({ data: { position: { symbol: 'NVDA' } } });
  });
  afterAll(() => gateway.close());

  const deepAliases = Array.from(
    { length: 100 },
    (_, index) => `a${index}: positions(first: 100) { nodes { id } }`,
  ).join(' ');
  const manyTokens = `{ ${Array.from({ length: 6000 }, () => '__typename').join(' ')} }`;
  const filterQuery = 'query($f: JsonFilter) { decisions(first: 1, filter: { rationale: $f }) { nodes { id } } }';
  /** A JSON filter whose `contains` nests `depth` arrays (written as text: JSON.stringify itself would overflow). */
  const nestedVariables = (depth: number) =>
    `{"query":${JSON.stringify(filterQuery)},"variables":{"f":{"contains":${'['.repeat(depth)}1${']'.repeat(depth)}}}}`;
  const cases: [
    string,
    number,
    string,
    { body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> },
    RegExp,
  ][] = [
    [
      'a body that is not JSON',
      400,
      'BAD_REQUEST',
      { raw: '{"query": "{ positions { nodes { id } } }"' },
      /not valid JSON/,
    ],
    [
      'a JSON body that is not an object',
      400,
      'BAD_REQUEST',
      { raw: '"{ positions { nodes { id } } }"' },
      /not valid JSON/,
    ],
    [
      'invalid GraphQL',
      400,
      'GRAPHQL_PARSE_FAILED',
      { body: { query: '{ positions(first: 1 { nodes } }' } },
      /Syntax Error/,
    ],
    [
      'an unknown operation name',
      400,
      'OPERATION_RESOLUTION_FAILURE',
      { body: { query: 'query A { positions { nodes { id } } }', operationName: 'DropEverything' } },
      /Unknown operation named "DropEverything"/,
    ],
    [
      'a variable of the wrong type',
      400,
      'BAD_USER_INPUT',
      { body: { query: 'query($n: Int) { positions(first: $n) { nodes { id } } }', variables: { n: { $gt: 1 } } } },
      /Int cannot represent/,
    ],
    [
      'variables that are not an object',
      400,
      'BAD_REQUEST',
      { body: { query: '{ positions { nodes { id } } }', variables: 'n=1' } },
      /variables/,
    ],
    [
      'a 10 MB query',
      413,
      'BAD_REQUEST',
      { body: { query: `{ positions { nodes { id } } } # ${'x'.repeat(10 * 1024 * 1024)}` } },
      /larger than 1,000,000 bytes/,
    ],
    [
      'more tokens than any real query',
      400,
      'GRAPHQL_PARSE_FAILED',
      { body: { query: manyTokens } },
      /Document contains more that 5000 tokens/,
    ],
    ['50-deep nesting', 400, 'GRAPHQL_VALIDATION_FAILED', { body: { query: nested(50) } }, /depth/i],
    ['an alias bomb', 400, 'GRAPHQL_VALIDATION_FAILED', { body: { query: `{ ${deepAliases} }` } }, /aliases/i],
    [
      'a directive flood',
      400,
      'GRAPHQL_VALIDATION_FAILED',
      { body: { query: `{ positions { nodes { id ${'@include(if: true) '.repeat(60)} } } }` } },
      /directives/i,
    ],
    [
      'nested pages of 100 × 100 × 100',
      400,
      'QUERY_TOO_COSTLY',
      {
        body: {
          query:
            '{ ingestionRuns(first: 100) { nodes { payloads(first: 100) { nodes { decisions(first: 100) { ' +
            'nodes { id } } } } } } }',
        },
      },
      /about 2,020,200 objects, over the limit of 200,000/,
    ],
    [
      'a batch of operations in one request',
      400,
      'BAD_REQUEST',
      { body: [{ query: '{ positions { nodes { id } } }' }, { query: '{ positions { nodes { id } } }' }] },
      /batching/i,
    ],
    [
      'introspection while it is off',
      400,
      'GRAPHQL_VALIDATION_FAILED',
      { body: { query: '{ __schema { types { name } } }' } },
      /^introspection is off on this gateway$/,
    ],
    [
      'an invalid jsonPath',
      200,
      'BAD_USER_INPUT',
      { body: { query: '{ decisions(first: 1, filter: { rationale: { jsonPath: "$.a ==" } }) { nodes { id } } }' } },
      /^`filter.rationale.jsonPath` is not a valid SQL\/JSON path: syntax error/,
    ],
    [
      'a jsonPath with a variable, which the parser accepts',
      200,
      'BAD_USER_INPUT',
      { body: { query: '{ decisions(first: 1, filter: { rationale: { jsonPath: "$0 == 1" } }) { nodes { id } } }' } },
      /refers to a path variable/,
    ],
    [
      'a jsonPath with a quoted variable',
      200,
      'BAD_USER_INPUT',
      {
        body: {
          query:
            'query($p: String) { decisions(first: 1, filter: { rationale: { jsonPathExists: $p } }) { nodes { id } } }',
          variables: { p: '$.signal ? (@ == $"x y")' },
        },
      },
      /refers to a path variable/,
    ],
    [
      'a jsonPath whose variable name is a byte-order mark, which JavaScript calls whitespace',
      200,
      'BAD_USER_INPUT',
      {
        body: {
          query:
            'query($p: String) { apiPayloads(first: 1, filter: { payload: { jsonPathExists: $p } }) { nodes { id } } }',
          variables: { p: '$\ufeff' },
        },
      },
      /refers to a path variable/,
    ],
    [
      'a jsonPath whose variable name is a no-break space, which JavaScript calls whitespace',
      200,
      'BAD_USER_INPUT',
      {
        body: {
          query:
            'query($p: String) { apiPayloads(first: 1, filter: { payload: { jsonPathExists: $p } }) { nodes { id } } }',
          variables: { p: '$\u00a0' },
        },
      },
      /refers to a path variable/,
    ],
    [
      'a jsonPath whose variable name is a vertical tab, which JavaScript calls whitespace',
      200,
      'BAD_USER_INPUT',
      {
        body: {
          query:
            'query($p: String) { apiPayloads(first: 1, filter: { payload: { jsonPathExists: $p } }) { nodes { id } } }',
          variables: { p: '$\u000b' },
        },
      },
      /refers to a path variable/,
    ],
    [
      'an Accept header that takes no JSON',
      406,
      'BAD_REQUEST',
      { body: { query: '{ __typename }' }, headers: { accept: 'text/csv' } },
      /Accept header must allow/,
    ],
    [
      'a gzip body that does not inflate',
      400,
      'BAD_REQUEST',
      { raw: 'this is not gzip', headers: { 'content-encoding': 'gzip' } },
      /could not be read/,
    ],
    [
      'a gzip body that inflates to broken JSON',
      400,
      'BAD_REQUEST',
      { raw: gzipSync('{"query": ').toString('latin1'), headers: { 'content-encoding': 'gzip' } },
      /could not be read|not valid JSON/,
    ],
    [
      'a subscription',
      400,
      'SUBSCRIPTIONS_NOT_SUPPORTED',
      { body: { query: 'subscription { positions { nodes { id } } }' } },
      /subscriptions are not supported/,
    ],
    [
      "a persisted-query hash that is not the query's",
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
      {
        body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } },
      },
      /is not the SHA-256 of the query/,
    ],
    [
      `variables ${MAX_VARIABLES_DEPTH + 1} levels deep`,
      400,
      'VARIABLES_TOO_DEEP',
      { raw: nestedVariables(MAX_VARIABLES_DEPTH) },
      /at most 64 levels deep/,
    ],
    [
      'variables 3,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      { raw: nestedVariables(3_000) },
      /at most 64 levels deep/,
    ],
    [
      'variables 5,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      { raw: nestedVariables(5_000) },
      /at most 64 levels deep/,
    ],
    [
      'variables 100,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      { raw: nestedVariables(100_000) },
      /at most 64 levels deep/,
    ],
    [
      'extensions 5,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      { raw: `{"query":"{ __typename }","extensions":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}` },
      /at most 64 levels deep/,
    ],
    [
      'a lone surrogate in a string variable',
      400,
      'BAD_USER_INPUT',
      {
        raw: '{"query":"query($s: String!) { search(query: $s) { edges { cursor } } }","variables":{"s":"a\\ud800b"}}',
      },
      /unpaired UTF-16 surrogates/,
    ],
    [
      'a lone surrogate in a JSON filter key',
      400,
      'BAD_USER_INPUT',
      { raw: `{"query":${JSON.stringify(filterQuery)},"variables":{"f":{"contains":{"k\\udc00":1}}}}` },
      /unpaired UTF-16 surrogates/,
    ],
    [
      'a form post (CSRF)',
      400,
      'BAD_REQUEST',
      {
        raw: 'query=%7B%20positions%20%7B%20nodes%20%7B%20id%20%7D%20%7D%20%7D',
        contentType: 'application/x-www-form-urlencoded',
      },
      /.+/,
    ],
  ];

  it.each(cases)('%s: HTTP %d, %s, recorded once', async (_what, status, code, request, message) => {
    const answer = await gateway.post(request.body, {
      secret,
      raw: request.raw,
      headers: { ...(request.contentType ? { 'content-type': request.contentType } : {}), ...request.headers },
    });
    expect({ status: answer.status, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(answer.json.errors[0].message).toMatch(message);
    expectNothingLeaked(answer);
    expect(await auditEntriesOf(gateway.writer, answer.headers.get('x-request-id'))).toBe(1);
  });

  // Apollo reads a GET's variables and extensions from its query string: the same checks, the same
  // answers, on record alike.
  const getCases: [string, number, string, string, RegExp][] = [
    [
      'variables 5,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      `query=${encodeURIComponent(filterQuery)}&variables={"f":{"contains":${'['.repeat(5_000)}1${']'.repeat(5_000)}}}`,
      /at most 64 levels deep/,
    ],
    [
      'extensions 5,000 levels deep',
      400,
      'VARIABLES_TOO_DEEP',
      `query=%7B__typename%7D&extensions=${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      /at most 64 levels deep/,
    ],
    [
      "a persisted-query hash that is not the query's",
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
      `query=%7B__typename%7D&extensions={"persistedQuery":{"version":1,"sha256Hash":"${'ab'.repeat(32)}"}}`,
      /is not the SHA-256 of the query/,
    ],
    [
      'a lone surrogate in a string variable',
      400,
      'BAD_USER_INPUT',
      `query=${encodeURIComponent('query($s: String!) { search(query: $s) { edges { cursor } } }')}` +
        `&variables={"s":"a\\ud800b"}`,
      /unpaired UTF-16 surrogates/,
    ],
    [
      'variables that are not JSON',
      400,
      'BAD_REQUEST',
      'query=%7B__typename%7D&variables={"s":',
      /variables parameter is not valid JSON/,
    ],
    [
      'variables sent twice',
      400,
      'BAD_REQUEST',
      'query=%7B__typename%7D&variables={}&variables={}',
      /variables parameter may be sent only once/,
    ],
  ];

  it.each(getCases)('a GET with %s: HTTP %d, %s, recorded once', async (_what, status, code, queryString, message) => {
    const answer = await gateway.get(queryString, { secret });
    expect({ status: answer.status, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(answer.json.errors[0].message).toMatch(message);
    expectNothingLeaked(answer);
    expect(await auditEntriesOf(gateway.writer, answer.headers.get('x-request-id'))).toBe(1);
  });

  it(
    'leaves a GET whose request line passes 16 KB (variables 100,000 levels deep) to Node, ' +
      'which answers 431 before the gateway runs',
    async () => {
      const answer = await gateway.get(
        `query=${encodeURIComponent(filterQuery)}&variables={"f":{"contains":${'['.repeat(100_000)}` +
          `1${']'.repeat(100_000)}}}`,
        { secret },
      );
      expect(answer.status).toBe(431);
    },
  );

  it('records the document of a refused GET from its query string', async () => {
    const answer = await gateway.get(`query=${encodeURIComponent('{ __typename }')}&variables={"s":`, { secret });
    const [row] = await gateway.writer.em
      .getConnection()
      .execute<{ document: string }[]>(
        'select d.document from query_audit_log l join query_documents d using (query_hash) where l.request_id = ?',
        [answer.headers.get('x-request-id')],
      );
    expect(row?.document).toBe('{ __typename }');
  });

  it('takes "$" inside a jsonPath string literal for text, not for a variable', async () => {
    const answer = await gateway.post(
      {
        query: 'query($p: String) { decisions(first: 1, filter: { rationale: { jsonPath: $p } }) { nodes { id } } }',
        variables: { p: '$.signal == "$x \\" $y"' },
      },
      { secret },
    );
    expect(answer.json).toEqual({ data: { decisions: { nodes: [] } } });
  });

  it(`accepts variables exactly ${MAX_VARIABLES_DEPTH} levels deep`, async () => {
    const answer = await gateway.post(undefined, { secret, raw: nestedVariables(MAX_VARIABLES_DEPTH - 2) });
    expect(answer.json).toEqual({ data: { decisions: { nodes: [] } } });
  });

  it('says nothing of the framework that answers (no X-Powered-By)', async () => {
    const answers = [
      await gateway.post({ query: '{ __typename }' }, { secret }),
      await gateway.post(undefined, { secret, raw: '{' }),
    ];
    const others = await Promise.all(
      ['/health', '/health/ready', '/playground', '/metrics'].map((route) => fetch(new URL(route, gateway.url))),
    );
    for (const headers of [...answers.map((answer) => answer.headers), ...others.map((response) => response.headers)])
      expect(headers.get('x-powered-by')).toBeNull();
  });

  it(
    'does not reveal enum values or argument names while introspection is off, ' +
      'whether in the document or in variables',
    async () => {
      const answers = await Promise.all([
        gateway.post({ query: '{ positions(first: 1, filter: { status: OPN }) { nodes { id } } }' }, { secret }),
        gateway.post(
          {
            query: 'query($s: PositionStatus) { positions(first: 1, filter: { status: $s }) { nodes { id } } }',
            variables: { s: 'OPN' },
          },
          { secret },
        ),
        gateway.post({ query: '{ positions(frist: 1) { nodes { id } } }' }, { secret }),
        gateway.post({ query: '{ positions(first: 1) { nodes { symbl } } }' }, { secret }),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.json.errors[0].extensions.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
        expect(answer.text).not.toMatch(/Did you mean|Suggestion|"open"|\bfirst\b|symbol/);
      }
    },
  );

  it(
    'prices the same document again by the page sizes its variables ask for, ' +
      'and refuses it every time it is too costly',
    async () => {
      const query =
        'query($n: Int) { ingestionRuns(first: $n) { nodes { payloads(first: $n) { nodes { decisions(first: $n) { ' +
        'nodes { id } } } } } } }';
      for (const round of [1, 2]) {
        const cheap = await gateway.post({ query, variables: { n: 5 } }, { secret });
        expect({ round, errors: cheap.json.errors }).toEqual({ round, errors: undefined });
        const costly = await gateway.post({ query, variables: { n: 100 } }, { secret });
        expect({
          round,
          code: costly.json.errors[0].extensions.code,
          cost: costly.json.errors[0].extensions.cost,
        }).toEqual({ round, code: 'QUERY_TOO_COSTLY', cost: 2_020_200 });
      }
    },
  );

  it('does not suggest field names while introspection is off', async () => {
    const answer = await gateway.post({ query: '{ positons { nodes { id } } }' }, { secret });
    expect(answer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.json.errors[0].message).not.toMatch(/Did you mean|positions/);
  });

  it('refuses a page larger than 100 on the field that asked for it', async () => {
    const answer = await gateway.post({ query: '{ positions(first: 101) { nodes { id } } }' }, { secret });
    expect(answer.json.errors[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
      message: expect.stringMatching(/between 0 and 100; got 101/),
    });
  });

  it('stops a statement at the statement timeout and says so, without SQL', async () => {
    const blocker = gateway.writer.em.fork();
    const knex = blocker.getConnection().getKnex();
    const transaction = await knex.transaction();
    try {
      // A lock held by another session makes the gateway's next read wait past its 1 s timeout.
      await transaction.raw('lock table positions in access exclusive mode');
      const answer = await gateway.post({ query: '{ positions(first: 1) { nodes { id } } }' }, { secret });
      expect(answer.json.errors[0]).toMatchObject({ path: ['positions'], extensions: { code: 'QUERY_TIMEOUT' } });
      expect(answer.json.errors[0].message).toMatch(/statement timeout/);
      expectNothingLeaked(answer);
    } finally {
      await transaction.rollback();
    }
  });

  it('masks an internal failure as INTERNAL_SERVER_ERROR', async () => {
    const connection = gateway.writer.em.getConnection();
    await connection.execute('alter table positions rename to positions_away');
    try {
      const answer = await gateway.post({ query: '{ positions(first: 1) { nodes { id } } }' }, { secret });
      expect(answer.json.errors[0]).toEqual({
        message: 'Internal server error',
        locations: expect.any(Array),
        path: ['positions'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expectNothingLeaked(answer);
    } finally {
      await connection.execute('alter table positions_away rename to positions');
    }
  });

  it('runs every query in a read-only, time-limited session', async () => {
    const connection = gateway.orm.em.getConnection();
    const [settings] = await connection.execute<{ read_only: string; timeout: string }[]>(
      "select current_setting('default_transaction_read_only') as read_only, " +
        "current_setting('statement_timeout') as timeout",
    );
    expect(settings).toEqual({ read_only: 'on', timeout: '1s' });
    await expect(
      connection.execute(
        "insert into positions (account, symbol, quantity, avg_cost, status, opened_at) values ('x', 'X', 1, 1, " +
          "'open', now())",
      ),
    ).rejects.toThrow(/cannot execute INSERT in a read-only transaction/);
  });
});

describe('rate limiting per key', () => {
  let gateway: HttpTestGateway;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 5 });
  });
  afterAll(() => gateway.close());

  it(
    'answers 429 RATE_LIMITED past the limit of one key, with Retry-After, ' + 'while other keys still get answers',
    async () => {
      const busy = await gateway.keyFor(Role.investigator, { name: 'busy' });
      const calm = await gateway.keyFor(Role.investigator, { name: 'calm' });
      const query = { query: '{ positions(first: 1) { nodes { id } } }' };
      for (let i = 0; i < 5; i++) expect((await gateway.post(query, { secret: busy })).status).toBe(200);
      const limited = await gateway.post(query, { secret: busy });
      expect(limited.status).toBe(429);
      expect(limited.json.errors[0]).toEqual({
        message: 'rate limit exceeded: at most 5 requests a minute for this caller',
        extensions: { code: 'RATE_LIMITED' },
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-policy')).toMatch(/q=5; w=60/);
      expect((await gateway.post(query, { secret: calm })).status).toBe(200);
      const [{ outcome }] = await gateway.writer.em
        .getConnection()
        .execute<{ outcome: string }[]>('select outcome from query_audit_log where request_id = ?', [
          limited.headers.get('x-request-id'),
        ]);
      expect(outcome).toBe('rate_limited');
      const admin = await gateway.keyFor(Role.admin, { name: 'prometheus' });
      const metrics = await (
        await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${admin}` } })
      ).text();
      expect(metrics).toMatch(/auditgraph_graphql_errors_total\{code="RATE_LIMITED"\} [1-9]/);
    },
  );
});
