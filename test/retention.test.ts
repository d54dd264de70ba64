import type pg from 'pg';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

/** The one deletion path: payload bodies past the window become tombstones, and the record still verifies. */
describe('auditgraph retention purge and auditgraph storage', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let env: NodeJS.ProcessEnv;
  // The fixtures are dated 2026-10-01, so a 30-day window reaches them.
  const purge = (...extra: string[]) =>
    runCli(['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--format', 'json', ...extra], env);

  const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> =>
    withClient(gateway.database.url, async (client) => (await client.query<T>(text, values)).rows);

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 1, inputCount: 2 });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: gateway.database.url };
  });
  afterAll(() => gateway.close());

  it.each([
    [['--older-than', '2y'], /--older-than must be a number of days such as 730d; got "2y"/],
    [['--older-than', "1d'; drop table api_payloads; --"], /--older-than must be a number of days/],
    [['--older-than', '0d', '--allow-short-window'], /--older-than must be at least 1d/],
    [['--older-than', '30d'], /inside the 730-day window records must stay accessible; pass --allow-short-window/],
    [[], /required option '--older-than <days>' not specified/],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const result = await runCli(['retention', 'purge', ...args], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('plans without changing anything unless --execute', async () => {
    const result = await purge();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      olderThanDays: 30,
      executed: false,
      payloads: 4,
      eventSeq: null,
    });
    const [kept] = await sql<{ bodies: string }>(
      'select count(*) as bodies from api_payloads where payload is not null',
    );
    expect(Number(kept!.bodies)).toBe(4);
  });

  it('replaces the bodies by tombstones, appends a COMPLIANCE event, and the record still verifies', async () => {
    const bodies = await sql<{ id: string; bytes: number }>(
      'select id, octet_length(payload::text) as bytes from api_payloads order by id',
    );
    const result = await purge('--execute', '--actor', 'compliance-officer');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      executed: true,
      payloads: 4,
      bodyBytes: bodies.reduce((sum, row) => sum + row.bytes, 0),
    });

    const answer = await gateway.execute<any>(
      `query ($id: ID!) {
        payload: apiPayload(id: $id) { payload payloadBytes decisions { nodes { decisionId } } }
        auditEvents(filter: { logType: COMPLIANCE }) { nodes { seq event actor eventData } }
      }`,
      { id: trade.inputs[0]!.nodeId },
    );
    expect(answer.errors).toBeUndefined();
    // The row and its lineage stay; only the body is gone.
    expect(answer.data.payload).toEqual({
      payload: null,
      payloadBytes: 80,
      decisions: { nodes: [{ decisionId: trade.decision.decisionId }] },
    });
    expect(answer.data.auditEvents.nodes).toEqual([
      {
        seq: summary.eventSeq,
        event: 'retention_purge',
        actor: 'compliance-officer',
        eventData: expect.objectContaining({ olderThanDays: 30, payloads: 4 }),
      },
    ]);
    const tombstones = await sql<{ api_payload_id: string; body_bytes: number }>(
      'select api_payload_id, body_bytes from api_payload_tombstones order by api_payload_id',
    );
    expect(tombstones.map((row) => [row.api_payload_id, row.body_bytes])).toEqual(
      bodies.map((row) => [row.id, row.bytes]),
    );
    expect((await runCli(['verify'], env)).code).toBe(0);

    // A second purge finds nothing more to remove.
    expect(JSON.parse((await purge('--execute')).stdout)).toMatchObject({ payloads: 0 });
  });

  // A forged tombstone of a legacy payload is verify's to name (test/chain.test.ts); of a payload
  // written since the chain was retired, the Merkle tree's (its leaf holds the body's hash).

  it('summarises storage per table and payload bodies by month', async () => {
    const result = await runCli(['storage', '--format', 'json'], env);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.tables).toEqual(
      expect.arrayContaining([
        { table: 'api_payloads', rows: 4, bytes: expect.any(Number) },
        { table: 'api_payload_tombstones', rows: 4, bytes: expect.any(Number) },
      ]),
    );
    expect(summary.payloadsByMonth).toEqual([{ month: '2026-10', payloads: 4, bodies: 0, bodyBytes: 0, purged: 4 }]);
    const table = await runCli(['storage'], env);
    expect(table.stdout).toMatch(/^api_payloads\s+4\s+\d+$/m);
    expect(table.stdout).toMatch(/^2026-10\s+4\s+0\s+0\s+4$/m);
  });
});
