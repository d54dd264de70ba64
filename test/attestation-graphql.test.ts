import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey, expireApiKey, revokeApiKey, rotateApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import type { Instant } from '../src/time/instant';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

// The compliance role reads and attests, never writes lineage; the attestDay mutation records who certified
// a day, the calling key beside the name; and the admin history answers in one query each.

let gateway: HttpTestGateway;
let folder: string;
let log: LogKey;
const secrets: Partial<Record<Role, string>> = {};
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const ATTEST = `mutation ($date: String!, $by: String!, $note: String) {
  attestDay(date: $date, by: $by, note: $note) {
    day by note caller decisions executions integrityFindings eventId checkpoint { treeSize time }
  }
}`;
const attest = (role: Role, variables: Record<string, unknown>) =>
  gateway.post({ query: ATTEST, variables }, { secret: secrets[role] });
const codeOf = (answer: { json: any }) => answer.json.errors?.[0]?.extensions?.code ?? null;

beforeAll(async () => {
  gateway = await startHttpTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-attest-'));
  log = await createLogKey(folder);
  for (const role of [Role.compliance, Role.admin, Role.investigator, Role.writer])
    secrets[role] = await gateway.keyFor(role, { name: `${role}-key` });
}, 120_000);
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

const attestations = async () =>
  Number(
    (
      await gateway.writer.em
        .getConnection()
        .execute<{ n: string }[]>("select count(*) as n from audit_events where event = 'day_attested'")
    )[0]!.n,
  );

describe('attestDay', () => {
  it('is refused to readers and writers; compliance may read but never write lineage', async () => {
    for (const role of [Role.investigator, Role.writer])
      expect(codeOf(await attest(role, { date: yesterday, by: 'Jane Doe' }))).toBe('FORBIDDEN');
    const write = await gateway.post(
      { query: 'mutation { recordEvent(records: []) { created } }' },
      { secret: secrets[Role.compliance] },
    );
    expect(codeOf(write)).toBe('FORBIDDEN');
    const read = await gateway.post(
      { query: '{ auditEvents(first: 1) { nodes { event } } queryAuditLog(first: 1) { nodes { id } } }' },
      { secret: secrets[Role.compliance] },
    );
    expect(read.json.errors).toBeUndefined();
  });

  it('needs a checkpoint signed since the day ended, then records the attestation once per person', async () => {
    expect(codeOf(await attest(Role.compliance, { date: yesterday, by: 'Jane Doe' }))).toBe('NO_CHECKPOINT');
    await integrateAndSign(gateway.database.url, log);
    const answer = await attest(Role.compliance, { date: yesterday, by: 'Jane Doe', note: 'all reconciled' });
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.attestDay).toMatchObject({
      day: yesterday,
      by: 'Jane Doe',
      note: 'all reconciled',
      caller: expect.stringMatching(/^key \d+ compliance-key$/),
      decisions: 0,
      executions: 0,
      integrityFindings: 0,
      checkpoint: { treeSize: expect.any(Number) },
    });
    const again = await attest(Role.admin, { date: yesterday, by: 'Jane Doe' });
    expect(codeOf(again)).toBe('ALREADY_ATTESTED');
    expect(again.json.errors[0].extensions.argument).toBe('by');
  });

  it.each([
    ['an impossible date', { date: '2026-13-01', by: 'A' }, 'BAD_USER_INPUT', 'date'],
    ['a word for a date', { date: 'tomorrow', by: 'A' }, 'BAD_USER_INPUT', 'date'],
    ['an empty name', { date: yesterday, by: '' }, 'BAD_USER_INPUT', 'by'],
    ['a 5000-character name', { date: yesterday, by: 'x'.repeat(5000) }, 'BAD_USER_INPUT', 'by'],
    // Text PostgreSQL cannot store is refused for the whole request, before any resolver.
    ['a NUL in the name', { date: yesterday, by: 'Jane\u0000' }, 'BAD_USER_INPUT', undefined],
    ['a line break in the note', { date: yesterday, by: 'A', note: 'line\nbreak' }, 'BAD_USER_INPUT', 'note'],
    ['the last day of the calendar', { date: '9999-12-31', by: 'A' }, 'DAY_NOT_ENDED', 'date'],
  ])('refuses %s with %s, naming its argument', async (_what, variables, code, argument) => {
    const before = await attestations();
    const answer = await attest(Role.compliance, variables);
    expect(await attestations()).toBe(before);
    expect({ code: codeOf(answer), argument: answer.json.errors?.[0]?.extensions?.argument }).toEqual({
      code,
      argument,
    });
  });
});

describe('the admin history, one query each', () => {
  it('answers who revoked key X and what admin Y did this week', async () => {
    const em = gateway.writer.em.fork();
    const { key } = await createApiKey(em, 'Ada Admin', { name: 'ci-bot', role: Role.investigator });
    await rotateApiKey(em, 'Ada Admin', 'ci-bot', 3_600_000);
    await revokeApiKey(em, 'Grace Ops', key.id);

    const whoRevoked = await gateway.post(
      {
        query: `query ($key: JSON!) {
          auditEvents(where: { event: { eq: "api_key_revoked" }, eventData: { contains: $key } }) {
            nodes { actor occurredAt eventData }
          }
        }`,
        variables: { key: { keyId: key.id } },
      },
      { secret: secrets[Role.admin] },
    );
    expect(whoRevoked.json.data.auditEvents.nodes).toEqual([
      { actor: 'Grace Ops', occurredAt: expect.any(String), eventData: { keyId: key.id, name: 'ci-bot' } },
    ]);

    const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const didThisWeek = await gateway.post(
      {
        query: `query ($since: DateTime!) {
          auditEvents(where: { actor: { eq: "Ada Admin" }, occurredAt: { gte: $since } }) {
            nodes { logType event eventData }
          }
        }`,
        variables: { since: week },
      },
      { secret: secrets[Role.admin] },
    );
    expect(didThisWeek.json.data.auditEvents.nodes.map((node: { event: string }) => node.event)).toEqual([
      'api_key_created',
      'api_key_rotated',
      'api_key_created',
    ]);
  });
});

describe('api_keys stays append-only with rotation', () => {
  it('refuses, whatever the client, any change but revoking or rotating, and a rotation without its event', async () => {
    const em = gateway.writer.em.fork();
    const { key } = await createApiKey(em, 'Ada Admin', { name: 'rules', role: Role.investigator });
    const connection = gateway.writer.em.getConnection();
    const refused = [
      // A rotation may only bring the end forward, never past the old expiry nor away.
      `update api_keys set replaced_by = id + 1, expires_at = null where id = ${key.id}`,
      // Nothing else may change with it.
      `update api_keys set replaced_by = id + 1, expires_at = now(), role = 'admin' where id = ${key.id}`,
    ];
    for (const statement of refused)
      await expect(connection.execute(statement)).rejects.toThrow(/only revoking a live key is allowed, rotating/);
    // The shape of a rotation, but no api_key_rotated event in its transaction.
    await expect(
      connection.execute(`update api_keys set replaced_by = id + 1, expires_at = now() where id = ${key.id}`),
    ).rejects.toThrow(/without its api_key_rotated ADMIN event/);
    const rotated = await rotateApiKey(em, 'Ada Admin', 'rules', 0);
    // A rotated key is rotated once; a later expiry is never given back.
    await expect(
      connection.execute(`update api_keys set replaced_by = ${rotated.issued.key.id} where id = ${key.id}`),
    ).rejects.toThrow(/only revoking a live key is allowed, rotating/);
  });

  it('lets an expiry come forward with its api_key_expiry_set event only, never later nor away', async () => {
    const em = gateway.writer.em.fork();
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const { key } = await createApiKey(em, 'Ada Admin', {
      name: 'contractor',
      role: Role.investigator,
      expiresAt: inAMonth as Instant,
    });
    const connection = gateway.writer.em.getConnection();
    for (const statement of [
      `update api_keys set expires_at = expires_at + interval '1 day' where id = ${key.id}`,
      `update api_keys set expires_at = null where id = ${key.id}`,
      `update api_keys set expires_at = now() + interval '1 day', name = 'other' where id = ${key.id}`,
    ])
      await expect(connection.execute(statement)).rejects.toThrow(/only revoking a live key is allowed, rotating/);
    await expect(
      connection.execute(`update api_keys set expires_at = now() + interval '1 day' where id = ${key.id}`),
    ).rejects.toThrow(/without its api_key_expiry_set ADMIN event/);
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString() as Instant;
    const [expired] = await expireApiKey(em, 'Ada Admin', 'contractor', inAWeek);
    expect(Date.parse(expired!.key.expiresAt!)).toBe(Date.parse(inAWeek));
    // Later than it already ends: refused, nothing written.
    await expect(expireApiKey(em, 'Ada Admin', 'contractor', inAMonth as Instant)).rejects.toThrow(/already ends by/);
    await expect(
      expireApiKey(em, 'Ada Admin', 'contractor', new Date(Date.now() - 1000).toISOString() as Instant),
    ).rejects.toThrow(/must be in the future: to end a key now, revoke it/);
    const rows = await connection.execute<{ event: string; actor: string; ends: string }[]>(
      `select event, actor, event_data ->> 'expiresAt' as ends from audit_events
        where log_type = 'ADMIN' and event_data @> jsonb_build_object('keyId', ${key.id}::text) order by seq`,
    );
    expect(rows.map(({ event, actor }) => [event, actor])).toEqual([
      ['api_key_created', 'Ada Admin'],
      ['api_key_expiry_set', 'Ada Admin'],
    ]);
    expect(Date.parse(rows[1]!.ends)).toBe(Date.parse(inAWeek));
  });
});
