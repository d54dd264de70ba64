import { setTimeout as sleep } from 'node:timers/promises';
import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { isDatabaseUnavailable } from '../src/base/database-unavailable';
import { createOrm, type Orm } from '../src/database/orm';
import { BadInputError } from '../src/base/errors';
import { assertValidJsonPaths } from '../src/graphql/json-filter';
import { type RunningGateway, startHttpServer } from '../src/server/http-server';
import { auditEntriesOf } from './harness/audit-entries';
import { createTestDatabase, type TestDatabase } from './harness/database';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy';

/** What an outage must not show a client: the driver's words, the database's address. */
const DRIVER_TEXT = /ECONN|terminat|Connection|127\.0\.0\.1|5432|timeout|knex|pg_|stack/i;

/**
 * A real outage: the gateway reaches PostgreSQL through a TCP proxy that the
 * test cuts (open connections reset, new ones refused) and restores, while
 * the server itself, shared with other test files, keeps running.
 */
describe('while PostgreSQL cannot be reached', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let orm: Orm;
  let writer: Orm;
  let gateway: RunningGateway;
  let secret: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    orm = await createOrm({
      databaseUrl: proxy.through(database.url),
      poolMax: 4,
      session: { readOnly: true, statementTimeoutMs: 5000 },
    });
    writer = await createOrm({ databaseUrl: database.url, poolMax: 2 });
    gateway = await startHttpServer(orm, {
      host: '127.0.0.1',
      port: 0,
      anonymousRead: true,
      rateLimitPerMinute: 10_000,
    });
    ({ secret } = await createApiKey(writer.em.fork(), 'test', { name: 'outage', role: Role.investigator }));
  });
  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await gateway.close();
    await orm.close();
    await writer.close();
    await proxy.close();
    await database.drop();
  });

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      requestId: response.headers.get('x-request-id')!,
      text: await response.text(),
    };
  };
  const positions = { query: '{ positions(first: 1) { nodes { id } } }' };
  const jsonPathFilter = {
    query:
      '{ decisions(first: 1, filter: { rationale: { jsonPath: "$.signal == \\"congress_buy\\"" } }) { nodes { id } } }',
  };

  it(
    'answers 503 DATABASE_UNAVAILABLE with Retry-After, to keyed and anonymous callers, without driver text; ' +
      'and serves and records again once it is back',
    async () => {
      const before = await post(positions, { authorization: `Bearer ${secret}` });
      expect(before.status).toBe(200);

      await proxy.cut();
      // The key cache lives only while its LISTEN connection does: give the gateway a moment to notice it is gone.
      await sleep(200);
      const expected = {
        status: 503,
        retryAfter: '5',
        body: {
          errors: [
            { message: expect.stringMatching(/cannot be reached/), extensions: { code: 'DATABASE_UNAVAILABLE' } },
          ],
        },
      };
      for (const [what, body, headers] of [
        ['keyed (the key lookup fails before GraphQL)', positions, { authorization: `Bearer ${secret}` }],
        ['anonymous (the query fails in GraphQL)', positions, {}],
        ['a jsonPath filter, whose check cannot reach the parser', jsonPathFilter, {}],
      ] as const) {
        const answer = await post(body, headers);
        expect({ what, status: answer.status, retryAfter: answer.retryAfter, body: JSON.parse(answer.text) }).toEqual({
          what,
          ...expected,
        });
        expect(answer.text).not.toMatch(DRIVER_TEXT);
      }
      const ready = await fetch(new URL('/health/ready', gateway.url));
      expect(ready.status).toBe(503);
      // Anonymous: the state, not its parts (/health/detailed has them for an admin key).
      expect(await ready.json()).toEqual({ status: 'unavailable' });

      await proxy.restore();
      let answer = await post(positions, { authorization: `Bearer ${secret}` });
      for (let attempt = 0; answer.status !== 200 && attempt < 50; attempt++) {
        await sleep(200);
        answer = await post(positions, { authorization: `Bearer ${secret}` });
      }
      expect(JSON.parse(answer.text)).toEqual({ data: { positions: { nodes: [] } } });
      expect(await auditEntriesOf(writer, answer.requestId)).toBe(1);
    },
  );

  it(
    'lets a database failure during the jsonPath check go on as what it is, ' + "not as the caller's bad input",
    async () => {
      const em = orm.em.fork();
      await em.getConnection().execute('select 1');
      await proxy.cut();
      try {
        const checked = assertValidJsonPaths(
          (sql, params) => em.getConnection().execute(sql, params),
          [{ path: '$.signal', argument: 'filter.rationale.jsonPath' }],
        );
        const error = await checked.then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeDefined();
        expect(error).not.toBeInstanceOf(BadInputError);
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await proxy.restore();
      }
    },
  );
});
