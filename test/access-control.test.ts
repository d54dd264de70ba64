import {
  getNamedType,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { hashSecret } from '../src/auth/api-key-secret';
import { revokeApiKey } from '../src/auth/api-keys';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { gatewaySchema } from '../src/server/schema';
import { resolvers } from '../src/resolvers';
import { runCli } from './harness/cli';
import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const positions = '{ positions(first: 1) { nodes { id } } }';

/** A value of the right GraphQL type for a required argument, so only authorization can refuse the field. */
function sampleValue(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return `[${sampleValue(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type));
    return `{ ${required.map((field) => `${field.name}: ${sampleValue(field.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    const samples: Record<string, string> = {
      Int: '1',
      SafeInt: '1',
      Float: '1',
      Boolean: 'true',
      DateTime: '"2026-10-01T00:00:00Z"',
      JSON: '{}',
      JSONObject: '{}',
    };
    return samples[type.name] ?? '"2026-10-01"';
  }
  throw new Error(`no sample for ${String(type)}`);
}

describe('roles: every field asks for a permission, and each role gets exactly its own', () => {
  let gateway: TestGateway;
  let positionId: string;
  const as = (role: Role) => keyCaller({ id: '1', name: `a ${role}`, role, expiresAt: null }, 'test');

  beforeAll(async () => {
    gateway = await startTestGateway();
    positionId = (await createTrade(gateway.orm.em.fork(), { executionCount: 1 })).position.nodeId;
  });
  afterAll(() => gateway.close());

  it('puts @Authorized on every resolver class, so every root field and every field resolver is checked', () => {
    const storage = getMetadataStorage();
    const authorized = new Set(storage.authorizedResolver.map((entry) => entry.target));
    const unguarded = resolvers.filter((resolver) => !authorized.has(resolver)).map((resolver) => resolver.name);
    expect(unguarded).toEqual([]);
    const handlers = [...storage.queries, ...storage.mutations, ...storage.fieldResolvers].filter(
      (handler) => !authorized.has(handler.target),
    );
    // Getters on an object type compute from the row already loaded; they read nothing more.
    const getters = new Set([
      'LineageRecord.nodeId',
      'LineageRecord.databaseId',
      'AuditEvent.seq',
      'AuditEvent.recordCount',
      'AuditEvent.previousHash',
      'AuditEvent.chainHash',
      'RecordCorrection.correctionId',
    ]);
    expect(
      handlers.map((handler) => `${handler.target.name}.${handler.methodName}`).filter((name) => !getters.has(name)),
    ).toEqual([]);
  });

  it('refuses every root query field to a writer with FORBIDDEN, naming the roles that may', async () => {
    const schema = await gatewaySchema();
    const fields = Object.values(schema.getQueryType()!.getFields());
    expect(fields.length).toBeGreaterThan(20);
    for (const field of fields) {
      const args = field.args
        .filter((arg) => isNonNullType(arg.type))
        .map((arg) => `${arg.name}: ${sampleValue(arg.type)}`);
      const selection = isScalarType(getNamedType(field.type)) ? '' : ' { __typename }';
      const query = `{ ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
      const result = await gateway.execute(query, {}, as(Role.writer));
      expect({ field: field.name, errors: result.errors?.map((error) => error.extensions?.code) }).toEqual({
        field: field.name,
        errors: ['FORBIDDEN'],
      });
      expect(result.errors![0]!.message).toMatch(
        /^the role writer may not .+: Query\.\w+ needs (investigator|integrity|admin)/,
      );
    }
  });

  const matrix: [string, string, Record<Role | 'anonymous', string | null>][] = [
    [
      'lineage',
      positions,
      { investigator: null, integrity: null, writer: 'FORBIDDEN', admin: null, compliance: null, anonymous: null },
    ],
    [
      'a report',
      '{ apiErrors(since: "2026-10-01T00:00:00Z", until: "2026-10-02T00:00:00Z") { count } }',
      { investigator: null, integrity: null, writer: 'FORBIDDEN', admin: null, compliance: null, anonymous: null },
    ],
    [
      'the integrity audit',
      '{ integrityReport(quarter: "2026Q3") { clean } }',
      { investigator: null, integrity: null, writer: 'FORBIDDEN', admin: null, compliance: null, anonymous: null },
    ],
    [
      'chain verification',
      '{ verifyChain(limit: 1) { intact } }',
      {
        investigator: 'FORBIDDEN',
        integrity: null,
        writer: 'FORBIDDEN',
        admin: null,
        compliance: null,
        anonymous: null,
      },
    ],
    [
      'the query audit log',
      '{ queryAuditLog(first: 1) { nodes { id } } }',
      {
        investigator: 'FORBIDDEN',
        integrity: 'FORBIDDEN',
        writer: 'FORBIDDEN',
        admin: null,
        compliance: null,
        anonymous: 'UNAUTHENTICATED',
      },
    ],
    [
      'the key list',
      '{ apiKeys { name } }',
      {
        investigator: 'FORBIDDEN',
        integrity: 'FORBIDDEN',
        writer: 'FORBIDDEN',
        admin: null,
        compliance: null,
        anonymous: 'UNAUTHENTICATED',
      },
    ],
  ];
  it.each(matrix)('%s: each role gets the answer its permissions say', async (_what, query, expected) => {
    for (const [who, code] of Object.entries(expected)) {
      const caller = who === 'anonymous' ? undefined : as(who as Role);
      const result = await gateway.execute(query, {}, caller);
      expect({ who, code: result.errors?.[0]?.extensions?.code ?? null }).toEqual({ who, code });
    }
  });

  it('checks nested fields too: a node one hop from an integrity finding needs lineage reading', async () => {
    const result = await gateway.execute(
      `{ position(id: "${positionId}") { executions { nodes { decision { symbol } } } } }`,
      {},
      as(Role.investigator),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.position.executions.nodes[0].decision.symbol).toBe('NVDA');
  });
});

describe('API keys over HTTP: 401 without a valid key, revocation at once', () => {
  let gateway: HttpTestGateway;

  beforeAll(async () => {
    gateway = await startHttpTestGateway();
  });
  afterAll(() => gateway.close());

  it(
    'answers 401 UNAUTHENTICATED with a Bearer challenge ' + 'when no key is sent and anonymous reading is off',
    async () => {
      const answer = await gateway.post({ query: positions });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="auditgraph"');
      expect(answer.json.errors[0]).toEqual({
        message: expect.stringMatching(/needs an API key: send `Authorization: Bearer <key>`/),
        extensions: { code: 'UNAUTHENTICATED' },
      });
    },
  );

  it.each([
    ['an unknown key', `Bearer ag_${'A'.repeat(43)}`, 'invalid_token', /not valid: unknown, revoked or expired/],
    ['another scheme', 'Basic YWRtaW46YWRtaW4=', 'invalid_request', /must be `Bearer <key>`/],
    ['a bare key', `ag_${'A'.repeat(43)}`, 'invalid_request', /must be `Bearer <key>`/],
    ['a truncated key', 'Bearer ag_abc', 'invalid_request', /must be `Bearer <key>`/],
    ['SQL as a key', "Bearer ' or 1=1 --", 'invalid_request', /must be `Bearer <key>`/],
    ['two keys', `Bearer ag_${'A'.repeat(43)} ag_${'B'.repeat(43)}`, 'invalid_request', /must be `Bearer <key>`/],
  ])('refuses %s with 401', async (_what, authorization, error, message) => {
    const answer = await gateway.post({ query: positions }, { headers: { authorization } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="auditgraph", error="${error}"`);
    expect(answer.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(answer.json.errors[0].message).toMatch(message);
    expect(answer.text).not.toContain('or 1=1');
  });

  it('answers a valid key, and refuses it on the very next request once revoked', async () => {
    const secret = await gateway.keyFor(Role.investigator, { name: 'revoked-soon' });
    for (let i = 0; i < 3; i++) expect((await gateway.post({ query: positions }, { secret })).status).toBe(200);
    await revokeApiKey(gateway.writer.em.fork(), 'test', 'revoked-soon');
    const answer = await gateway.post({ query: positions }, { secret });
    expect(answer.status).toBe(401);
    expect(answer.json.errors[0].message).toMatch(/revoked/);
  });

  it('refuses a key once it has expired', async () => {
    const secret = await gateway.keyFor(Role.investigator, { expiresAt: new Date(Date.now() + 1500) });
    expect((await gateway.post({ query: positions }, { secret })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await gateway.post({ query: positions }, { secret })).status).toBe(401);
  });

  it('never stores a secret, only its SHA-256, and refuses any change to a key but its revocation', async () => {
    const secret = await gateway.keyFor(Role.admin, { name: 'stored' });
    const connection = gateway.writer.em.getConnection();
    const [row] = await connection.execute<{ text: string }[]>(
      "select row_to_json(k)::text as text from api_keys k where name = 'stored'",
    );
    expect(row!.text).not.toContain(secret.slice(3));
    expect(row!.text).toContain(hashSecret(secret));
    await expect(connection.execute("update api_keys set role = 'admin' where name = 'stored'")).rejects.toThrow(
      /only revoking a live key is allowed/,
    );
    await expect(connection.execute("delete from api_keys where name = 'stored'")).rejects.toThrow(
      /only revoking a live key is allowed/,
    );
    await expect(connection.execute('truncate api_keys cascade')).rejects.toThrow(/append-only: TRUNCATE refused/);
  });
});

describe('auditgraph keys', () => {
  let gateway: HttpTestGateway;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    gateway = await startHttpTestGateway();
    env = { PATH: process.env.PATH, LOG_LEVEL: 'warn', DATABASE_URL: gateway.database.url };
  });
  afterAll(() => gateway.close());

  it(
    'creates a key whose secret is printed once on stdout and works at once; lists it without its secret; ' +
      'revokes it by name',
    async () => {
      const created = await runCli(
        ['keys', 'create', '--name', 'quarterly-cron', '--role', 'integrity', '--expires', '90d'],
        env,
      );
      expect(created.code).toBe(0);
      const secret = created.stdout.trim();
      expect(secret).toMatch(/^ag_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toMatch(/created key \d+ "quarterly-cron" \(integrity, expires \d{4}-.*not shown again/);
      const audit = await gateway.post({ query: '{ integrityReport(quarter: "2026Q3") { clean } }' }, { secret });
      expect(audit.json).toEqual({ data: { integrityReport: { clean: true } } });

      const listed = await runCli(['keys', 'list', '--format', 'json'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(secret.slice(10));
      const keys = JSON.parse(listed.stdout) as {
        name: string;
        role: string;
        prefix: string;
        revokedAt: string | null;
        lastUsedAt: string | null;
      }[];
      expect(keys.find((key) => key.name === 'quarterly-cron')).toMatchObject({
        role: 'integrity',
        prefix: secret.slice(0, 9),
        revokedAt: null,
        lastUsedAt: expect.any(String),
      });
      const table = await runCli(['keys', 'list'], env);
      expect(table.stdout).toMatch(/quarterly-cron\s+integrity\s+ag_\S+…/);

      const revoked = await runCli(['keys', 'revoke', 'quarterly-cron'], env);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toMatch(/revoked key \d+ "quarterly-cron"/);
      expect(
        (await gateway.post({ query: '{ integrityReport(quarter: "2026Q3") { clean } }' }, { secret })).status,
      ).toBe(401);
      // The name is free again once its key is revoked.
      expect((await runCli(['keys', 'create', '--name', 'quarterly-cron', '--role', 'integrity'], env)).code).toBe(0);
    },
  );

  it.each([
    [
      ['keys', 'create', '--name', 'x', '--role', 'root'],
      /argument 'root' is invalid. Allowed choices are investigator, integrity, writer, admin/,
    ],
    [['keys', 'create', '--role', 'admin'], /required option '--name <name>' not specified/],
    [['keys', 'create', '--name', 'x'], /required option '--role <role>' not specified/],
    [['keys', 'create', '--name', "x'; drop table api_keys; --", '--role', 'admin'], /a key name is 1–64 letters/],
    [
      ['keys', 'create', '--name', 'old', '--role', 'admin', '--expires', '2020-01-01'],
      /the expiry must be in the future/,
    ],
    [
      ['keys', 'create', '--name', 'soon', '--role', 'admin', '--expires', 'tomorrow'],
      /must be an ISO date or timestamp/,
    ],
    [['keys', 'revoke', 'nobody'], /no live key has the id or name "nobody"/],
    [['keys', 'list', '--format', 'xml'], /argument 'xml' is invalid/],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a second live key of the same name', async () => {
    expect((await runCli(['keys', 'create', '--name', 'twin', '--role', 'investigator'], env)).code).toBe(0);
    const second = await runCli(['keys', 'create', '--name', 'twin', '--role', 'investigator'], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/a live key named "twin" already exists/);
  });
});
