import fc from 'fast-check';
import type pg from 'pg';
import { keyCaller } from '../src/auth/caller';
import { BadInputError } from '../src/base/errors';
import { Role } from '../src/entities/api-key.entity';
import { instantOf } from '../src/time/instant';
import { listLegalHolds } from '../src/retention/legal-hold-list';
import { placeLegalHold, releaseLegalHold } from '../src/retention/legal-hold-writes';
import type { HoldScopeInput } from '../src/retention/legal-hold-input';
import { payloadUnderHoldSql } from '../src/retention/legal-holds';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { archiveFolder } from './harness/archive-folder';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

/** Every payload of a trade: the decision's inputs and each execution's broker request and response. */
const payloadsOf = (trade: TradeFixture) => [
  ...trade.inputs,
  ...trade.executions.flatMap((execution) => [execution.apiRequestPayload!, execution.apiResponsePayload!]),
];
const idsOf = (trade: TradeFixture) => payloadsOf(trade).map((payload) => String(payload.id));

let names = 0;
/** A symbol, account or strategy no other test of the file holds. */
const fresh = (prefix: string) => `${prefix}-${process.pid}-${++names}`;

/** Legal holds keep what the retention purge would otherwise remove; placing and releasing them are events. */
describe('legal holds', () => {
  let gateway: TestGateway;
  let env: NodeJS.ProcessEnv;
  let logKey: LogKey;

  const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> =>
    withClient(gateway.database.url, async (client) => (await client.query<T>(text, values)).rows);
  const cli = (args: string[]) => runCli(args, env);
  const place = async (scope: string[], reason = 'SEC inquiry 2026-17') => {
    const result = await cli([
      'hold',
      'place',
      ...scope,
      '--reason',
      reason,
      '--actor',
      'Zoë Ødegård',
      '--format',
      'json',
    ]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as { id: string; eventSeq: string };
  };
  // The fixtures are dated 2026-10-01 (or earlier), so a 30-day window reaches them.
  const purge = async () => {
    // The purge takes only bodies archived and read back: the new payloads are integrated, signed and archived first.
    await integrateAndSign(gateway.database.url, logKey);
    expect((await cli(['archive', '--older-than', '30d', '--execute'])).code).toBe(0);
    const result = await cli([
      'retention',
      'purge',
      '--older-than',
      '30d',
      '--allow-short-window',
      '--execute',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { payloads: number; heldBack: number };
  };
  /** The ids among `ids` whose body is still in the database. */
  const withBody = async (ids: string[]) =>
    (
      await sql<{ id: string }>(
        'select id::text from api_payloads where id = any($1) and payload is not null order by api_payloads.id',
        [ids],
      )
    ).map((row) => row.id);
  /** The ids among `ids` the predicate says are held. */
  const heldAmong = async (ids: string[]) =>
    (
      await sql<{ id: string }>(
        `select p.id::text from api_payloads p where p.id = any($1) and ${payloadUnderHoldSql('p')} order by p.id`,
        [ids],
      )
    ).map((row) => row.id);
  const trade = (options: Parameters<typeof createTrade>[1]) => createTrade(gateway.orm.em.fork(), options);
  const sorted = (ids: string[]) => [...ids].sort((a, b) => Number(a) - Number(b));

  beforeAll(async () => {
    gateway = await startTestGateway();
    const archive = await archiveFolder('holds');
    const folder = archive.folder;
    logKey = await createLogKey(folder);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: gateway.database.url,
      ...archive.env,
    };
  });
  afterAll(() => gateway.close());
  // A period hold reaches every test's payloads: each test releases what it placed.
  afterEach(async () => {
    for (const hold of await listLegalHolds(gateway.orm.em.fork(), { all: false }))
      await releaseLegalHold(gateway.orm.em.fork(), { id: hold.id, reason: 'test over', actor: 'test' });
  });

  it('keeps every payload a hold reaches through the lineage, for each scope kind, and purges the rest', async () => {
    const [symbol, account, strategy] = [fresh('SYM'), fresh('PA'), fresh('Strategy')];
    const bySymbol = await trade({ executionCount: 2, symbol });
    const byAccount = await trade({ executionCount: 1, adjust: (t) => void (t.position.account = account) });
    const byStrategy = await trade({ executionCount: 1, strategy });
    const leapDay = instantOf(new Date(Date.UTC(2024, 1, 29, 12)));
    const byPeriod = await trade({
      executionCount: 1,
      adjust: (t) => payloadsOf(t).forEach((payload) => void (payload.createdAt = leapDay)),
    });
    const free = await trade({ executionCount: 1 });
    await place(['--symbol', symbol]);
    await place(['--account', account]);
    await place(['--strategy', strategy]);
    await place(['--from', '2024-02-29', '--to', '2024-02-29']);

    const held = [bySymbol, byAccount, byStrategy, byPeriod].flatMap(idsOf);
    expect(await heldAmong([...held, ...idsOf(free)])).toEqual(sorted(held));
    const summary = await purge();
    expect(summary.heldBack).toBe(held.length);
    expect(summary.payloads).toBeGreaterThanOrEqual(idsOf(free).length);
    expect(await withBody([...held, ...idsOf(free)])).toEqual(sorted(held));

    // GraphQL says so, one statement for a whole page of payloads.
    const { result, sql: statements } = await gateway.countStatements(() =>
      gateway.execute<any>(`{ apiPayloads(first: 100) { nodes { id: databaseId underLegalHold } } }`),
    );
    expect(result.errors).toBeUndefined();
    const answered = new Map(result.data.apiPayloads.nodes.map((node: any) => [String(node.id), node.underLegalHold]));
    for (const id of held) expect([id, answered.get(id)]).toEqual([id, true]);
    for (const id of idsOf(free)) expect([id, answered.get(id)]).toEqual([id, false]);
    expect(statements.filter((text) => text.includes('legal_holds'))).toHaveLength(1);
  });

  it('purges a released hold’s payloads, and records both as COMPLIANCE events with their actor', async () => {
    const symbol = fresh('REL');
    const held = await trade({ executionCount: 1, symbol });
    const placed = await place(['--symbol', symbol], 'Matter 42 — ☃ 東京 עברית');
    await purge();
    expect(await withBody(idsOf(held))).toEqual(sorted(idsOf(held)));

    const released = await cli([
      'hold',
      'release',
      placed.id,
      '--reason',
      'matter closed',
      '--actor',
      'Counsel',
      '--format',
      'json',
    ]);
    expect(released.code).toBe(0);
    const again = await cli(['hold', 'release', placed.id, '--reason', 'twice']);
    expect({ code: again.code, stderr: again.stderr.trim() }).toEqual({
      code: 2,
      stderr: `auditgraph: legal hold ${placed.id} is released already`,
    });
    expect((await cli(['hold', 'release', '999999', '--reason', 'x'])).stderr).toMatch(/no legal hold has id 999999/);
    expect(await heldAmong(idsOf(held))).toEqual([]);
    await purge();
    expect(await withBody(idsOf(held))).toEqual([]);

    const events = await sql<{ event: string; actor: string; data: Record<string, unknown> }>(
      `select event, actor, event_data as data from audit_events
        where log_type = 'COMPLIANCE' and event like 'legal_hold_%' and event_data ->> 'holdId' = $1 order by seq`,
      [placed.id],
    );
    expect(events).toEqual([
      {
        event: 'legal_hold_placed',
        actor: 'Zoë Ødegård',
        data: { holdId: placed.id, scope: { kind: 'symbol', symbol }, reason: 'Matter 42 — ☃ 東京 עברית' },
      },
      { event: 'legal_hold_released', actor: 'Counsel', data: { holdId: placed.id, reason: 'matter closed' } },
    ]);
    const listed = JSON.parse((await cli(['hold', 'list', '--all', '--format', 'json'])).stdout);
    expect(listed.find((row: { id: string }) => row.id === placed.id)).toMatchObject({
      scope: 'symbol',
      symbol,
      active: false,
      placedBy: 'Zoë Ødegård',
      releasedBy: 'Counsel',
      releaseReason: 'matter closed',
    });
    expect(JSON.parse((await cli(['hold', 'list', '--format', 'json'])).stdout)).toEqual([]);
    const answer = await gateway.execute<any>('{ legalHolds(all: true) { id scope symbol active releasedBy } }');
    expect(answer.data.legalHolds).toContainEqual({
      id: placed.id,
      scope: 'SYMBOL',
      symbol,
      active: false,
      releasedBy: 'Counsel',
    });
  });

  it('answers legalHolds to the roles that read compliance records, and refuses a writer', async () => {
    const as = (role: Role) => keyCaller({ id: '1', name: `a ${role}`, role, expiresAt: null }, 'test');
    for (const role of [Role.investigator, Role.integrity, Role.admin]) {
      const answer = await gateway.execute<any>('{ legalHolds { id } }', {}, as(role));
      expect([role, answer.errors]).toEqual([role, undefined]);
    }
    const refused = await gateway.execute<any>('{ legalHolds { id } }', {}, as(Role.writer));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  /** A payload created at `at`, and whether a period hold from–to (UTC days, both included) reaches it. */
  it.each([
    ['UTC midnight, the day before ends', '2026-03-01T00:00:00Z', '2026-02-28', '2026-02-28', false],
    ['UTC midnight, the day it starts', '2026-03-01T00:00:00Z', '2026-03-01', '2026-03-01', true],
    ['the last microsecond of a day', '2026-02-28T23:59:59.999Z', '2026-02-28', '2026-02-28', true],
    ['the last microsecond before the period', '2026-02-28T23:59:59.999Z', '2026-03-01', '2026-03-31', false],
    ['a leap day', '2024-02-29T23:00:00Z', '2024-02-29', '2024-02-29', true],
    ['the day after a leap day', '2024-03-01T00:00:00Z', '2024-02-29', '2024-02-29', false],
    ['a period to 9999-12-31', '2026-10-01T14:01:00Z', '2026-01-01', '9999-12-31', true],
    ['the first day there is', '0001-01-01T00:00:00Z', '0001-01-01', '0001-01-01', true],
  ])('a period hold at its edge: %s', async (_name, at, from, to, held) => {
    const created = instantOf(new Date(at));
    const fixture = await trade({
      executionCount: 1,
      inputCount: 1,
      adjust: (t) => payloadsOf(t).forEach((payload) => void (payload.createdAt = created)),
    });
    await placeLegalHold(gateway.orm.em.fork(), { scope: { kind: 'period', from, to }, reason: 'edge', actor: 'test' });
    expect(await heldAmong(idsOf(fixture))).toEqual(held ? sorted(idsOf(fixture)) : []);
  });

  it.each([
    [['--from', '2026-03-02', '--to', '2026-03-01'], /from 2026-03-02 is after to 2026-03-01: a period runs forward/],
    [['--from', '2025-02-29', '--to', '2025-03-01'], /from names a day that does not exist/],
    [['--from', '2026-01-01', '--to', '10000-01-01'], /to is not written YYYY-MM-DD/],
    [['--from', '2026-01-01'], /a period hold needs both --from and --to/],
    [['--symbol', 'A', '--account', 'B'], /exactly one of --symbol, --account, --strategy, or --from and --to/],
    [[], /exactly one of --symbol/],
    [['--symbol', '   '], /symbol is empty/],
    [['--symbol', 'A\nB'], /symbol holds a control character/],
    [['--symbol', 'x'.repeat(201)], /symbol is 201 characters long/],
  ])('refuses the scope %j with exit 2, one line, and no hold', async (scope, message) => {
    const before = await sql('select id from legal_holds');
    const result = await cli(['hold', 'place', ...scope, '--reason', 'r']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await sql('select id from legal_holds')).toEqual(before);
  });

  it.each([
    ['a line break', 'line one\nline two', /reason holds a control character/],
    ['an escape sequence', '\u001b[31mred', /reason holds a control character/],
    ['a bell', 'ding\u0007', /reason holds a control character/],
    // An argument of the command line is at most 128 KiB (Linux's MAX_ARG_STRLEN): longer ones are the next test's.
    ['30,000 characters', 'é'.repeat(30_000), /reason is longer than 2000 characters/],
    ['blank', ' \u3000 ', /reason is empty/],
  ])('refuses a reason with %s: exit 2 and no hold', async (_name, reason, message) => {
    const before = await sql('select id from legal_holds');
    const result = await cli(['hold', 'place', '--symbol', fresh('R'), '--reason', reason]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(await sql('select id from legal_holds')).toEqual(before);
  });

  it('refuses a 10 MB reason, NUL and lone surrogates with BAD_USER_INPUT naming the reason, before any write', async () => {
    const before = await sql('select id from legal_holds');
    for (const reason of ['x'.repeat(10 * 1024 * 1024), 'a\u0000b', 'half \ud800 a pair', '\udc00']) {
      const placing = placeLegalHold(gateway.orm.em.fork(), {
        scope: { kind: 'symbol', name: fresh('H') },
        reason,
        actor: 'test',
      });
      await expect(placing).rejects.toBeInstanceOf(BadInputError);
      await expect(placing).rejects.toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reason' });
    }
    // 2000 code points are 4000 UTF-16 units of emoji: counted as PostgreSQL counts them.
    const placed = await placeLegalHold(gateway.orm.em.fork(), {
      scope: { kind: 'symbol', name: fresh('H') },
      reason: '😀'.repeat(2000),
      actor: 'test',
    });
    const [stored] = await sql<{ reason: string }>('select reason from legal_holds where id = $1', [placed.id]);
    expect(stored!.reason).toBe('😀'.repeat(2000));
    expect(await sql('select id from legal_holds where id <> $1', [placed.id])).toEqual(before);
  });

  it('for any reason: stores it exactly (trimmed) with its event, or refuses it with BAD_USER_INPUT and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (reason) => {
        const scope: HoldScopeInput = { kind: 'strategy', name: fresh('P') };
        const [{ count: holdsBefore }] = await sql<{ count: string }>('select count(*) from legal_holds');
        try {
          const placed = await placeLegalHold(gateway.orm.em.fork(), { scope, reason, actor: 'property' });
          const [row] = await sql<{ reason: string; events: string }>(
            `select h.reason, (select count(*) from audit_events e where e.event = 'legal_hold_placed'
                and e.event_data ->> 'holdId' = h.id::text and e.event_data ->> 'reason' = h.reason) as events
               from legal_holds h where h.id = $1`,
            [placed.id],
          );
          expect(row).toEqual({ reason: reason.trim(), events: '1' });
        } catch (error) {
          expect(error).toBeInstanceOf(BadInputError);
          const [{ count }] = await sql<{ count: string }>('select count(*) from legal_holds');
          expect(count).toBe(holdsBefore);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is all or nothing: a failing event write leaves no hold, and the database refuses a hold without its event', async () => {
    await sql(`create function test_refuse_hold_event() returns trigger language plpgsql as $$
      begin raise exception 'the event store refuses this event'; end $$`);
    await sql(`create trigger test_refuse_hold_event before insert on audit_events for each row
      when (new.event = 'legal_hold_placed' and new.actor = 'fail-me') execute function test_refuse_hold_event()`);
    try {
      const before = await sql('select id from legal_holds');
      await expect(
        placeLegalHold(gateway.orm.em.fork(), {
          scope: { kind: 'account', name: fresh('A') },
          reason: 'r',
          actor: 'fail-me',
        }),
      ).rejects.toThrow(/the event store refuses this event/);
      expect(await sql('select id from legal_holds')).toEqual(before);
      const cliResult = await cli(['hold', 'place', '--account', fresh('A'), '--reason', 'r', '--actor', 'fail-me']);
      expect(cliResult.code).toBe(2);
      expect(await sql('select id from legal_holds')).toEqual(before);
    } finally {
      await sql('drop trigger test_refuse_hold_event on audit_events');
      await sql('drop function test_refuse_hold_event()');
    }

    // Around the application: a hold or a release without its event is refused at commit.
    await expect(
      sql(`insert into legal_holds (scope_kind, symbol, reason, actor) values ('symbol', 'X', 'r', 'sneaky')`),
    ).rejects.toMatchObject({ code: '42501' });
    const placed = await placeLegalHold(gateway.orm.em.fork(), {
      scope: { kind: 'symbol', name: fresh('S') },
      reason: 'r',
      actor: 'a',
    });
    await expect(
      sql(`insert into legal_hold_releases (legal_hold_id, reason, actor) values ($1, 'r', 'sneaky')`, [placed.id]),
    ).rejects.toMatchObject({ code: '42501' });
    // Append-only: a hold is never changed or removed, not even by its owner's SQL.
    for (const statement of [
      `update legal_holds set reason = 'changed' where id = $1`,
      `delete from legal_holds where id = $1`,
    ])
      await expect(sql(statement, [placed.id])).rejects.toMatchObject({ code: '42501' });
    await expect(sql('truncate legal_hold_releases')).rejects.toMatchObject({ code: '42501' });
  });
});

/** The predicate walks the lineage by its foreign-key indexes: a few index probes per payload, on seeded data. */
describe('the legal-hold predicate on seeded data', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: gateway.database.url,
    };
    expect((await runCli(['seed', '--scale', '0.1', '--anchor', '2026-10-01'], env)).code).toBe(0);
    const em = gateway.orm.em.fork();
    for (const scope of [
      { kind: 'symbol', name: 'AAPL' },
      { kind: 'account', name: 'PA-0007' },
      { kind: 'strategy', name: 'momentum' },
      { kind: 'period', from: '2026-09-01', to: '2026-09-30' },
    ] as HoldScopeInput[])
      await placeLegalHold(em, { scope, reason: 'plan', actor: 'test' });
  });
  afterAll(() => gateway.close());

  it('uses the lineage indexes and never scans a lineage table', async () => {
    const plan = await withClient(gateway.database.url, async (client) => {
      const { rows } = await client.query(
        `explain select id from api_payloads where created_at < now() and payload is not null
            and not ${payloadUnderHoldSql('api_payloads')} and id > 0 order by id limit 1000`,
      );
      return rows.map((row) => row['QUERY PLAN'] as string).join('\n');
    });
    for (const index of [
      'decision_inputs_api_payload_id_index',
      'trade_executions_api_request_payload_id_index',
      'trade_executions_api_response_payload_id_index',
      'positions_pkey',
    ])
      expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan on (decision_inputs|trade_executions|trade_decisions|positions)\b/);
  });
});
