import { Role } from '../src/auth/roles';
import { MAX_VARIABLES_DEPTH } from '../src/json/variables-depth';
import { ALTERED_FOR_THE_RECORD, TOO_DEEP_TO_RECORD } from '../src/query-audit/redact';
import { createTrade } from './harness/fixtures';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

type Entry = {
  requestId: string;
  role: string;
  key: { name: string } | null;
  operationName: string | null;
  operationType: string | null;
  queryHash: string | null;
  document: string | null;
  variables: Record<string, unknown> | null;
  durationMs: number;
  outcome: string;
  errorCodes: string[];
};

const ENTRY_FIELDS =
  'requestId role key { name } operationName operationType queryHash document variables durationMs outcome ' +
  'errorCodes startedAt';

/** Every operation on record: who, what, how long, how it ended — and only admins read it. */
describe('the query audit log', () => {
  let gateway: HttpTestGateway;
  let admin: string;
  let investigator: string;
  let decisionId: string;
  let decisionNodeId: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    admin = await gateway.keyFor(Role.admin, { name: 'compliance-admin' });
    investigator = await gateway.keyFor(Role.investigator, { name: 'alice' });
    const trade = await createTrade(gateway.writer.em.fork(), { executionCount: 1 });
    decisionId = trade.decision.decisionId;
    decisionNodeId = trade.decision.nodeId;
  });
  afterAll(() => gateway.close());

  async function entryFor(requestId: string): Promise<Entry> {
    const answer = await gateway.post(
      {
        query: `query($id: String!) { queryAuditLog(filter: { requestId: $id }) { nodes { ${ENTRY_FIELDS} } } }`,
        variables: { id: requestId },
      },
      { secret: admin },
    );
    const entries = answer.json.data.queryAuditLog.nodes as Entry[];
    expect(entries).toHaveLength(1);
    return entries[0]!;
  }

  it(
    'records a successful operation with its key, name, document hash, variables, ' +
      'duration and the response request id',
    async () => {
      const answer = await gateway.post(
        {
          query: 'query LookAtDecision($id: String!) { decision(decisionId: $id) { symbol } }',
          operationName: 'LookAtDecision',
          variables: { id: decisionId },
        },
        { secret: investigator },
      );
      expect(answer.json.data.decision.symbol).toBe('NVDA');
      const requestId = answer.headers.get('x-request-id')!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const entry = await entryFor(requestId);
      expect(entry).toMatchObject({
        role: 'investigator',
        key: { name: 'alice' },
        operationName: 'LookAtDecision',
        operationType: 'query',
        queryHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        document: 'query LookAtDecision($id: String!) { decision(decisionId: $id) { symbol } }',
        variables: { id: decisionId },
        outcome: 'ok',
        errorCodes: [],
      });
      expect(entry.durationMs).toBeGreaterThan(0);
    },
  );

  it('keeps a request id given by a proxy, and replaces one that is not an id', async () => {
    const kept = await gateway.post(
      { query: '{ positions(first: 1) { nodes { id } } }' },
      { secret: investigator, headers: { 'x-request-id': 'edge-7f3a9c01' } },
    );
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a9c01');
    expect((await entryFor('edge-7f3a9c01')).outcome).toBe('ok');
    const replaced = await gateway.post(
      { query: '{ positions(first: 1) { nodes { id } } }' },
      { secret: investigator, headers: { 'x-request-id': '<script>alert(1)</script>' } },
    );
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it(
    'records refusals: forbidden fields as errors, invalid documents as rejected, ' + 'missing keys as unauthenticated',
    async () => {
      const forbidden = await gateway.post(
        { query: '{ queryAuditLog(first: 1) { nodes { id } } }' },
        { secret: investigator },
      );
      expect(await entryFor(forbidden.headers.get('x-request-id')!)).toMatchObject({
        outcome: 'error',
        errorCodes: ['FORBIDDEN'],
        key: { name: 'alice' },
      });
      const invalid = await gateway.post({ query: '{ decisions { nope } }' }, { secret: investigator });
      expect(await entryFor(invalid.headers.get('x-request-id')!)).toMatchObject({
        outcome: 'rejected',
        errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
        operationType: null,
      });
      const anonymous = await gateway.post({ query: '{ positions(first: 1) { nodes { id } } }' });
      expect(anonymous.status).toBe(401);
      expect(await entryFor(anonymous.headers.get('x-request-id')!)).toMatchObject({
        outcome: 'unauthenticated',
        role: 'anonymous',
        key: null,
        errorCodes: ['UNAUTHENTICATED'],
      });
    },
  );

  it('redacts secrets in variables at any depth, whatever their case', async () => {
    const answer = await gateway.post(
      {
        query: 'query($f: JsonFilter) { decisions(filter: { rationale: $f }, first: 1) { nodes { id } } }',
        variables: { f: { contains: { signal: 'x', nested: { Password: 'hunter2', apiKey: ['k1'] } } }, token: 'abc' },
      },
      { secret: investigator },
    );
    const entry = await entryFor(answer.headers.get('x-request-id')!);
    expect(entry.variables).toEqual({
      f: { contains: { signal: 'x', nested: { Password: '[REDACTED]', apiKey: '[REDACTED]' } } },
      token: '[REDACTED]',
    });
    expect(JSON.stringify(entry)).not.toMatch(/hunter2|k1|abc/);
  });

  it(
    'answers "who looked at decision X?" from variables and from documents, ' + 'with LIKE wildcards taken literally',
    async () => {
      const bob = await gateway.keyFor(Role.investigator, { name: 'bob' });
      await gateway.post({ query: `{ decision(id: "${decisionNodeId}") { symbol } }` }, { secret: bob });
      await gateway.post(
        { query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: decisionNodeId } },
        { secret: investigator },
      );
      await gateway.post({ query: '{ positions(first: 1) { nodes { id } } }' }, { secret: bob });
      const who = await gateway.post(
        {
          query: 'query($x: String!) { queryAuditLog(filter: { mentions: $x }) { nodes { key { name } outcome } } }',
          variables: { x: decisionNodeId },
        },
        { secret: admin },
      );
      // The admin's own question is recorded once answered, so it is not in its own answer.
      expect(who.json.data.queryAuditLog.nodes.map((entry: { key: { name: string } }) => entry.key.name)).toEqual([
        'alice',
        'bob',
      ]);
      const wildcard = await gateway.post(
        { query: '{ queryAuditLog(filter: { mentions: "%" }) { nodes { id } } }' },
        { secret: admin },
      );
      expect(wildcard.json.data.queryAuditLog.nodes).toEqual([]);
      const byKey = await gateway.post(
        { query: '{ queryAuditLog(filter: { keyName: "bob" }) { nodes { operationType } } }' },
        { secret: admin },
      );
      expect(byKey.json.data.queryAuditLog.nodes).toHaveLength(2);
    },
  );

  it.each([
    [
      'an empty mention',
      '{ queryAuditLog(filter: { mentions: "" }) { nodes { id } } }',
      /`mentions` must be 1 to 200 characters/,
    ],
    [
      'an inverted period',
      '{ queryAuditLog(filter: { startedFrom: "2026-11-02T00:00:00Z", startedTo: "2026-11-01T00:00:00Z" }) { ' +
        'nodes { id } } }',
      /`startedFrom` must be before `startedTo`/,
    ],
    ['a cursor of another list', '{ queryAuditLog(after: "bm9wZQ") { nodes { id } } }', /`after`/],
  ])('refuses %s with BAD_USER_INPUT', async (_what, query, message) => {
    const answer = await gateway.post({ query }, { secret: admin });
    expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.json.errors[0].message).toMatch(message);
  });

  it('records NUL characters (which PostgreSQL text refuses) and huge variables without losing the entry', async () => {
    const huge = await gateway.post(
      { query: 'query($s: String!) { decision(decisionId: $s) { id } }', variables: { s: 'a'.repeat(100_000) } },
      { secret: investigator },
    );
    expect((await entryFor(huge.headers.get('x-request-id')!)).variables).toEqual({
      '[too large to record]': { bytes: expect.any(Number) },
    });
    const nul = await gateway.post(
      { query: 'query Nul($s: String!) { decision(decisionId: $s) { id } }', variables: { s: 'a\u0000b' } },
      { secret: investigator },
    );
    expect(nul.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await entryFor(nul.headers.get('x-request-id')!)).toMatchObject({
      outcome: 'rejected',
      variables: {
        s: 'a\ufffdb',
        [ALTERED_FOR_THE_RECORD]: [
          expect.stringMatching(/NUL characters and unpaired UTF-16 surrogates replaced by U\+FFFD/),
        ],
      },
      errorCodes: ['BAD_USER_INPUT'],
    });
  });

  it(
    'records lone surrogates (which jsonb and text refuse) in variables, keys, names and documents, ' +
      'replaced and said so',
    async () => {
      // Written as JSON text: the escapes arrive as lone UTF-16 code units, as any client can send them.
      const raw =
        '{"query":"query Lone($s: String!) { decision(decisionId: $s) { id } } ' +
        '# \\udfff","operationName":"Lone","variables":{"s":"a\\ud800b","k\\udc00":["\\udbff"]}}';
      const answer = await gateway.post(undefined, { secret: investigator, raw });
      // graphql-js refuses the lone surrogate in the document's comment before the variables' is looked at.
      expect({ status: answer.status, code: answer.json.errors[0].extensions.code }).toEqual({
        status: 400,
        code: 'GRAPHQL_PARSE_FAILED',
      });
      const entry = await entryFor(answer.headers.get('x-request-id')!);
      expect(entry).toMatchObject({
        outcome: 'rejected',
        operationName: 'Lone',
        variables: {
          s: 'a\ufffdb',
          'k\ufffd': ['\ufffd'],
          [ALTERED_FOR_THE_RECORD]: [expect.stringMatching(/unpaired UTF-16 surrogates replaced by U\+FFFD/)],
        },
      });
      expect(entry.document).toBe('query Lone($s: String!) { decision(decisionId: $s) { id } } # \ufffd');
    },
  );

  it(
    `records a request refused for variables nested too deep, cut at ${MAX_VARIABLES_DEPTH} ` + `levels with a marker`,
    async () => {
      const depth = 5_000;
      const raw =
        `{"query":"query Deep($f: JsonFilter) { decisions(filter: { rationale: $f }) { nodes { id } } ` +
        `}","variables":{"f":{"contains":${'['.repeat(depth)}1${']'.repeat(depth)}}}}`;
      const answer = await gateway.post(undefined, { secret: investigator, raw });
      expect({ status: answer.status, code: answer.json.errors[0].extensions.code }).toEqual({
        status: 400,
        code: 'VARIABLES_TOO_DEEP',
      });
      const entry = await entryFor(answer.headers.get('x-request-id')!);
      expect(entry).toMatchObject({
        outcome: 'rejected',
        errorCodes: ['VARIABLES_TOO_DEEP'],
        operationName: null,
        document: expect.stringContaining('query Deep'),
      });
      let level: unknown = (entry.variables as { f: { contains: unknown } }).f.contains;
      let levels = 2;
      while (Array.isArray(level)) [level, levels] = [level[0], levels + 1];
      expect({ levels, level }).toEqual({ levels: MAX_VARIABLES_DEPTH, level: TOO_DEEP_TO_RECORD });
      expect(entry.variables![ALTERED_FOR_THE_RECORD]).toEqual([expect.stringMatching(/nested deeper than 64 levels/)]);
    },
  );

  it('is append-only in PostgreSQL itself: UPDATE, DELETE and TRUNCATE fail whatever the client', async () => {
    const connection = gateway.writer.em.getConnection();
    await expect(connection.execute("update query_audit_log set outcome = 'ok'")).rejects.toThrow(
      /query_audit_log is append-only: UPDATE refused/,
    );
    await expect(connection.execute('delete from query_audit_log')).rejects.toThrow(
      /query_audit_log is append-only: DELETE refused/,
    );
    await expect(connection.execute('truncate query_audit_log')).rejects.toThrow(
      /query_audit_log is append-only: TRUNCATE refused/,
    );
    await expect(connection.execute("update query_documents set document = ''")).rejects.toThrow(
      /query_documents is append-only/,
    );
  });

  it('keeps a repeated document once, and every entry names it', async () => {
    const query = 'query Repeated { positions(first: 2) { nodes { id } } }';
    for (let sent = 0; sent < 3; sent++) await gateway.post({ query }, { secret: investigator });
    await Promise.all(Array.from({ length: 10 }, () => gateway.post({ query }, { secret: investigator })));
    const rows = await gateway.writer.em
      .getConnection()
      .execute<{ query_hash: string; document: string | null }[]>(
        'select l.query_hash, d.document from query_audit_log l left join query_documents d using (query_hash) ' +
          "where l.operation_name = 'Repeated'",
      );
    expect(rows).toHaveLength(13);
    expect(new Set(rows.map((row) => row.query_hash)).size).toBe(1);
    expect(rows.every((row) => row.document === query)).toBe(true);
  });

  it('records operations answered together, each once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        gateway.post(
          { query: `query Burst${index} { positions(first: 1) { nodes { id } } }` },
          { secret: investigator },
        ),
      ),
    );
    const [{ count }] = await gateway.writer.em
      .getConnection()
      .execute<{ count: string }[]>("select count(*) from query_audit_log where operation_name like 'Burst%'");
    expect(Number(count)).toBe(25);
    expect(new Set(answers.map((answer) => answer.headers.get('x-request-id'))).size).toBe(25);
  });

  it('withholds an answer it could not record (503 AUDIT_LOG_UNAVAILABLE), and records again once it can', async () => {
    const connection = gateway.writer.em.getConnection();
    await connection.execute('alter table query_audit_log rename to query_audit_log_away');
    try {
      const answer = await gateway.post(
        { query: '{ positions(first: 1) { nodes { symbol } } }' },
        { secret: investigator },
      );
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({
        errors: [{ message: expect.stringMatching(/withheld/), extensions: { code: 'AUDIT_LOG_UNAVAILABLE' } }],
      });
      expect(answer.text).not.toContain('NVDA');
    } finally {
      await connection.execute('alter table query_audit_log_away rename to query_audit_log');
    }
    const after = await gateway.post(
      { query: '{ positions(first: 1) { nodes { symbol } } }' },
      { secret: investigator },
    );
    expect(after.json.data.positions.nodes[0].symbol).toBe('NVDA');
  });
});
