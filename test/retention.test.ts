import type pg from 'pg';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { expectPayloadLeafProves } from './harness/payload-proof';
import { archiveFolder } from './harness/archive-folder';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign } from './harness/proof-log';

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
    const archive = await archiveFolder('retention');
    const folder = archive.folder;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: gateway.database.url,
      ...archive.env,
    };
    // The payloads are in the tree, under a signed checkpoint, and archived before their bodies are purged.
    await integrateAndSign(gateway.database.url, await createLogKey(folder));
    expect((await runCli(['archive', '--older-than', '30d', '--execute'], env)).code).toBe(0);
  });

  /** Integrates what is new (the test gateway runs no integrator), then `verify --full`. */
  const verifyFull = async () => {
    expect((await runCli(['integrate'], env)).code).toBe(0);
    return runCli(['verify', '--full'], env);
  };
  afterAll(() => gateway.close());

  /**
   * A purged payload still proves: its record, read from the row as the
   * integrator, verify and prove read it, carries the tombstone's canonical body
   * hash, and is the leaf the tree's inclusion proof, checked by the offline
   * verifier, leads from to the root.
   */
  async function expectPurgedPayloadProves(payloadId: string) {
    const record = await expectPayloadLeafProves(gateway.database.url, payloadId);
    const [tombstone] = await sql<{ body_sha256: string }>(
      'select body_sha256 from api_payload_tombstones where api_payload_id = $1',
      [payloadId],
    );
    expect(record.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.payloadSha256).toBe(tombstone!.body_sha256);
  }

  it.each([
    [['--older-than', '2y'], /--older-than must be a number of days such as 730d; got "2y"/],
    [['--older-than', "1d'; drop table api_payloads; --"], /--older-than must be a number of days/],
    [['--older-than', '0d', '--allow-short-window'], /--older-than must be at least 1d/],
    [['--older-than', '30d'], /inside the 730-day window records must stay accessible; pass --allow-short-window/],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const result = await runCli(['retention', 'purge', ...args], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("defaults the window to the retention policy's days in the database for payload bodies (730)", async () => {
    const result = await runCli(['retention', 'purge', '--format', 'json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ olderThanDays: 730, executed: false, payloads: 0, heldBack: 0 });
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
        payload: apiPayload(id: $id) { payloadSource payloadBytes decisions { nodes { decisionId } } }
        auditEvents(filter: { logType: COMPLIANCE }) { nodes { seq event actor eventData } }
      }`,
      { id: trade.inputs[0]!.nodeId },
    );
    expect(answer.errors).toBeUndefined();
    // The row and its lineage stay; the body is gone from the database, kept in the archive.
    expect(answer.data.payload).toEqual({
      payloadSource: 'ARCHIVE',
      payloadBytes: 80,
      decisions: { nodes: [{ decisionId: trade.decision.decisionId }] },
    });
    expect(answer.data.auditEvents.nodes.filter((node: { event: string }) => node.event !== 'archive_written')).toEqual(
      [
        {
          seq: summary.eventSeq,
          event: 'retention_purge',
          actor: 'compliance-officer',
          eventData: expect.objectContaining({ olderThanDays: 30, payloads: 4 }),
        },
      ],
    );
    const tombstones = await sql<{ api_payload_id: string; body_bytes: number }>(
      'select api_payload_id, body_bytes from api_payload_tombstones order by api_payload_id',
    );
    expect(tombstones.map((row) => [row.api_payload_id, row.body_bytes])).toEqual(
      bodies.map((row) => [row.id, row.bytes]),
    );
    const tombstoned = await sql<{ sha256: string | null }>(
      'select body_sha256 as sha256 from api_payload_tombstones order by api_payload_id',
    );
    expect(tombstoned.map(({ sha256 }) => sha256)).toEqual(bodies.map(() => expect.stringMatching(/^[0-9a-f]{64}$/)));
    // Every leaf is recomputed from the rows, the purged payloads' from their tombstones.
    const verified = await verifyFull();
    expect(verified.stdout).toMatch(/^intact \(full\): /);
    expect(verified.code).toBe(0);
    await expectPurgedPayloadProves(trade.inputs[0]!.id);

    // A second purge finds nothing more to remove.
    expect(JSON.parse((await purge('--execute')).stdout)).toMatchObject({ payloads: 0 });
  });

  it('detects a forged tombstone: verify --full names the payload', async () => {
    const payloadId = trade.inputs[0]!.id;
    const forge = (sha256: string) =>
      withClient(gateway.database.url, async (client) => {
        await client.query('begin');
        await client.query('alter table api_payload_tombstones disable trigger api_payload_tombstones_append_only');
        await client.query(`update api_payload_tombstones set body_sha256 = $2 where api_payload_id = $1`, [
          payloadId,
          sha256,
        ]);
        await client.query('alter table api_payload_tombstones enable trigger api_payload_tombstones_append_only');
        await client.query('commit');
      });
    const [original] = await sql<{ sha256: string }>(
      'select body_sha256 as sha256 from api_payload_tombstones where api_payload_id = $1',
      [payloadId],
    );
    await forge('0'.repeat(64));
    try {
      const result = await verifyFull();
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        new RegExp(`^first break: api_payloads ${payloadId} was changed after it was integrated \\(leaf #\\d+`, 'm'),
      );
    } finally {
      await forge(original!.sha256);
    }
    expect((await verifyFull()).code).toBe(0);
  });

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
    // Sizes as a person reads them; the JSON above keeps the bytes.
    expect(table.stdout).toMatch(/^api_payloads\s+4\s+\d+(\.\d)? (B|KB|MB)$/m);
    expect(table.stdout).toMatch(/^total: \d+(\.\d)? (KB|MB|GB)$/m);
    expect(table.stdout).toMatch(/^2026-10\s+4\s+0\s+0 B\s+4$/m);
  });

  it('keeps a payload not integrated (so not archivable) yet: the purge takes only archived, read-back bodies', async () => {
    const late = await createTrade(gateway.orm.em.fork(), { executionCount: 1, inputCount: 1 });
    const payloadId = late.inputs[0]!.id;
    const summary = JSON.parse((await purge('--execute')).stdout);
    expect(summary.kept.notArchived).toBeGreaterThan(0);
    const [{ kept }] = await sql<{ kept: boolean }>(
      'select payload is not null as kept from api_payloads where id = $1',
      [payloadId],
    );
    expect(kept).toBe(true);
  });
});
