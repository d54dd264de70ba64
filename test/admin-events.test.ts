import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type pg from 'pg';
import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { BadInputError } from '../src/base/errors';
import { parseGlobalId } from '../src/graphql/global-id';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

// Every change to an API key is an ADMIN event of the record, written in the
// change's own transaction: who made or revoked which key, readable and
// provable as any audit event; a refused change writes neither.

let gateway: TestGateway;
let key: LogKey;
let folder: string;
const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: gateway.database.url,
  ...extra,
});
const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> =>
  withClient(gateway.database.url, async (client) => (await client.query<T>(text, values)).rows);

type EventRow = { seq: string; log_type: string; event: string; event_data: any; actor: string; occurred_at: string };
const eventOf = async (id: string) => {
  const seq = parseGlobalId(id)!.databaseId;
  const [row] = await sql<EventRow>(
    'select seq::text, log_type, event, event_data, actor, occurred_at::text from audit_events where seq = $1',
    [seq],
  );
  return row!;
};
/** What every refused change must leave as it was. */
const counts = async () =>
  (
    await sql<{ keys: number; events: number }>(
      'select (select count(*)::int from api_keys) as keys, (select count(*)::int from audit_events) as events',
    )
  )[0]!;

beforeAll(async () => {
  gateway = await startTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-admin-'));
  key = await createLogKey(folder);
});
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

describe('keys create and keys revoke append ADMIN events', () => {
  let created: { id: string; secret: string };
  let revokedId: string;

  test('create: who made which key, never its secret nor its hash; the event and the key share their instant', async () => {
    const result = await runCli(
      [
        'keys',
        'create',
        '--name',
        'ci-bot',
        '--role',
        'investigator',
        '--expires',
        '2030-01-01',
        '--actor',
        'Zoë Ångström',
      ],
      env(),
    );
    expect(result.code).toBe(0);
    const id = /recorded as event (\S+)\./.exec(result.stderr)?.[1];
    expect(id).toBeDefined();
    created = { id: id!, secret: result.stdout.trim() };
    const event = await eventOf(created.id);
    const [row] = await sql<{ id: string; prefix: string; secret_hash: string; created_at: string }>(
      "select id::text, prefix, secret_hash, created_at::text from api_keys where name = 'ci-bot'",
    );
    expect(event).toMatchObject({ log_type: 'ADMIN', event: 'api_key_created', actor: 'Zoë Ångström' });
    expect(event.event_data).toEqual({
      keyId: row!.id,
      name: 'ci-bot',
      role: 'investigator',
      prefix: row!.prefix,
      expiresAt: '2030-01-01T00:00:00.000000Z',
    });
    expect(event.occurred_at).toBe(row!.created_at);
    const stored = JSON.stringify(await sql('select * from audit_events'));
    expect(stored).not.toContain(created.secret.slice(row!.prefix.length));
    expect(stored).not.toContain(row!.secret_hash);
  });

  test('revoke: who revoked which key (AUDITGRAPH_ACTOR, in any script), at the instant the key was revoked', async () => {
    const result = await runCli(['keys', 'revoke', 'ci-bot'], env({ AUDITGRAPH_ACTOR: '运维 小李' }));
    expect(result.code).toBe(0);
    revokedId = /recorded as event (\S+)$/m.exec(result.stdout)![1]!;
    const event = await eventOf(revokedId);
    const [row] = await sql<{ id: string; revoked_at: string }>(
      "select id::text, revoked_at::text from api_keys where name = 'ci-bot'",
    );
    expect(event).toMatchObject({ log_type: 'ADMIN', event: 'api_key_revoked', actor: '运维 小李' });
    expect(event.event_data).toEqual({ keyId: row!.id, name: 'ci-bot' });
    expect(event.occurred_at).toBe(row!.revoked_at);
  });

  test('without --actor nor AUDITGRAPH_ACTOR the actor is the OS user; --actor wins over the setting', async () => {
    const plain = await runCli(['keys', 'create', '--name', 'os-user', '--role', 'writer'], env());
    expect(plain.code).toBe(0);
    expect((await eventOf(/recorded as event (\S+)\./.exec(plain.stderr)![1]!)).actor).toBe(userInfo().username);
    const both = await runCli(
      ['keys', 'revoke', 'os-user', '--actor', 'named'],
      env({ AUDITGRAPH_ACTOR: 'configured' }),
    );
    expect(both.code).toBe(0);
    expect((await eventOf(/recorded as event (\S+)$/m.exec(both.stdout)![1]!)).actor).toBe('named');
  });

  test('readable as audit events are: "what did Zoë do", "who revoked key X", in one query each', async () => {
    const byActor = await gateway.execute(
      '{ auditEvents(first: 10, filter: { logType: ADMIN, actor: "Zoë Ångström" }) { nodes { id event eventData } } }',
    );
    expect(byActor.errors).toBeUndefined();
    expect(byActor.data!.auditEvents.nodes).toEqual([
      expect.objectContaining({ id: created.id, event: 'api_key_created' }),
    ]);
    const keyId = (await eventOf(created.id)).event_data.keyId as string;
    const whoRevoked = await gateway.execute(
      'query ($key: JSON) { auditEvents(first: 10, where: { event: { eq: "api_key_revoked" }, ' +
        'eventData: { contains: $key } }) { nodes { id actor occurredAt subject { id } } } }',
      { key: { keyId } },
    );
    expect(whoRevoked.errors).toBeUndefined();
    expect(whoRevoked.data!.auditEvents.nodes).toEqual([
      expect.objectContaining({ id: revokedId, actor: '运维 小李', subject: null }),
    ]);
  });

  test('integrated like any audit event, proved by `prove` and checked offline by `verify-bundle`', async () => {
    await integrateAndSign(gateway.database.url, key);
    for (const [id, event] of [
      [created.id, 'api_key_created'],
      [revokedId, 'api_key_revoked'],
    ] as const) {
      const out = path.join(folder, `${event}.json`);
      const proved = await runCli(['prove', id, '--out', out], env());
      expect(proved.code).toBe(0);
      const bundle = JSON.parse(await readFile(out, 'utf8'));
      expect(bundle.entries[0].record).toMatchObject({ type: 'AuditEvent', logType: 'ADMIN', event });
      expect(JSON.stringify(bundle)).not.toContain(created.secret.slice(12));
      const offline = { PATH: process.env.PATH, HOME: process.env.HOME, AUDITGRAPH_DATA_DIR: '/nonexistent' };
      const verified = await runCli(['verify-bundle', out, '--key', key.verifierKey], offline);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toMatch(/verified: 1 record\n$/);
    }
  });
});

describe('a refused key change writes neither the change nor its event', () => {
  beforeAll(async () => {
    expect((await runCli(['keys', 'create', '--name', 'taken', '--role', 'admin'], env())).code).toBe(0);
  });

  test.each([
    [['keys', 'create', '--name', 'taken', '--role', 'admin'], /a live key named "taken" already exists/],
    [
      ['keys', 'create', '--name', 'late', '--role', 'admin', '--expires', '2020-01-01'],
      /expiry must be in the future/,
    ],
    [['keys', 'create', '--name', 'odd', '--role', 'admin', '--expires', 'soon'], /must be an ISO date or timestamp/],
    [['keys', 'create', '--name', 'bad name', '--role', 'admin'], /a key name is 1–64 letters/],
    [['keys', 'revoke', 'nobody'], /no live key has the id or name "nobody"/],
    [['keys', 'revoke', '999999'], /no live key has the id or name "999999"/],
    [
      ['keys', 'create', '--name', 'long', '--role', 'admin', '--actor', 'x'.repeat(201)],
      /--actor is 201 characters long/,
    ],
    [['keys', 'revoke', 'taken', '--actor', ' '], /--actor is empty/],
    [['keys', 'revoke', 'taken', '--actor', 'two\nlines'], /--actor holds a control character/],
  ])('%j: exit 2, nothing written', async (args, message) => {
    const before = await counts();
    const result = await runCli(args, env());
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(await counts()).toEqual(before);
  });

  test('a key revoked already: exit 2, and no second event', async () => {
    const [row] = await sql<{ id: string }>("select id::text from api_keys where name = 'ci-bot'");
    const before = await counts();
    const again = await runCli(['keys', 'revoke', row!.id], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/was already revoked at/);
    expect(await counts()).toEqual(before);
  });

  test('an AUDITGRAPH_ACTOR the record cannot take stops the command as a bad setting', async () => {
    const before = await counts();
    const result = await runCli(['keys', 'revoke', 'taken'], env({ AUDITGRAPH_ACTOR: 'y'.repeat(201) }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^auditgraph: invalid configuration: AUDITGRAPH_ACTOR="y+" must be a person's name/);
    expect(await counts()).toEqual(before);
  });

  test('the database refuses a key issued or revoked without its event, whoever writes', async () => {
    const before = await counts();
    await withClient(gateway.database.url, async (client) => {
      await expect(
        client.query("insert into api_keys (name, role, secret_hash, prefix) values ('bypass', 'admin', 'h', 'ag_x')"),
      ).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/without its api_key_created ADMIN event/),
      });
      await expect(
        client.query("update api_keys set revoked_at = now() where name = 'taken' and revoked_at is null"),
      ).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/without its api_key_revoked ADMIN event/),
      });
    });
    expect(await counts()).toEqual(before);
  });
});

describe('the actor: free text within the column rules of audit_events', () => {
  // Pieces of names: one code point each, but 'e' + combining acute (two) and an astral character (two UTF-16 units).
  const NAME_PIECES = ['a', 'é', 'e\u0301', '😀', '日', 'א', '\u200d', ' '];
  /** What no name holds; one of them, or none, goes somewhere into a name. */
  const HOSTILE_PIECES = ['\n', '\t', '\u0000', '\ud800', '\udc00'];
  /** The pieces again and again until they hold `target` code points (one more after a two-code-point piece). */
  const toCodePoints = ([pieces, target]: [string[], number]) => {
    const name: string[] = [];
    for (let count = 0; count < target;) {
      const piece = pieces[name.length % pieces.length]!;
      name.push(piece);
      count += [...piece].length;
    }
    return name;
  };
  /** Names of any length, and (mostly) names of 195–205 code points: the limit, whichever way it were counted. */
  const names = fc.oneof(
    { arbitrary: fc.array(fc.constantFrom(...NAME_PIECES), { maxLength: 210, size: 'max' }), weight: 1 },
    {
      arbitrary: fc
        .tuple(
          fc.array(fc.constantFrom(...NAME_PIECES), { minLength: 1, maxLength: 50 }),
          fc.integer({ min: 195, max: 205 }),
        )
        .map(toCodePoints),
      weight: 3,
    },
  );
  /** Most names hold nothing hostile; the others one hostile piece, anywhere. */
  const hostile = fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.constantFrom(...HOSTILE_PIECES), weight: 1 },
  );
  const actors = fc.tuple(names, hostile, fc.nat()).map(([pieces, piece, at]) => {
    if (piece !== null) pieces.splice(at % (pieces.length + 1), 0, piece);
    return pieces.join('');
  });
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  /** What the record accepts, said independently of src/base/actor.ts: PostgreSQL counts code points. */
  const acceptable = (actor: string) => {
    const trimmed = actor.trim();
    return (
      trimmed !== '' &&
      !/[\n\t]/.test(trimmed) &&
      !trimmed.includes('\u0000') &&
      !LONE_SURROGATE.test(trimmed) &&
      [...trimmed].length <= 200
    );
  };
  let keyCount = 0;

  test('200 astral characters (400 UTF-16 units) are a name; 201 are not, and nothing is written', async () => {
    const longest = '😀'.repeat(200);
    const issued = await createApiKey(gateway.orm.em.fork(), longest, { name: 'astral', role: Role.investigator });
    expect((await eventOf(issued.event.id)).actor).toBe(longest);
    const before = await counts();
    await expect(
      createApiKey(gateway.orm.em.fork(), `${longest}😀`, { name: 'astral-2', role: Role.investigator }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', argument: 'actor' });
    expect(await counts()).toEqual(before);
  });

  test('for any text: stored exactly (trimmed) when acceptable, else BAD_USER_INPUT with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(actors, async (actor) => {
        const before = await counts();
        const name = `actor-${++keyCount}`;
        try {
          const issued = await createApiKey(gateway.orm.em.fork(), actor, { name, role: Role.writer });
          expect(acceptable(actor)).toBe(true);
          expect((await eventOf(issued.event.id)).actor).toBe(actor.trim());
        } catch (error) {
          if (!(error instanceof BadInputError)) throw error;
          expect(acceptable(actor)).toBe(false);
          expect(error).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'actor' });
          expect(await counts()).toEqual(before);
        }
      }),
      // Each run is a transaction: a counterexample is told as found, not shrunk through hundreds more.
      { numRuns: 60, endOnFailure: true },
    );
  });
});
