import type pg from 'pg';
import { ARCHIVE_PLAN_SQL, MONTH_LEAVES_SQL } from '../src/archive/archive-candidates';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLogKey, integrateAndSign } from './harness/proof-log';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The archive finds each body's leaf by one probe of merkle_leaves'
 * (source, record_key) index, whatever the statistics say. Joined plainly, a
 * tree just integrated (no statistics yet) was planned as a nested loop
 * comparing every payload with every leaf (3.9 s per thousand bodies at
 * scale 1), and once analyzed as a hash join over every leaf of a large tree.
 * So the plans are checked before and after ANALYZE.
 */
let gateway: TestGateway;
let folder: string;
const PAYLOADS = 3_000;

const planOf = (client: pg.ClientBase, sql: string, values: unknown[]) => {
  let n = 0;
  return client
    .query(`explain ${sql.replace(/\?/g, () => `$${++n}`)}`, values)
    .then(({ rows }) => rows.map((row) => row['QUERY PLAN'] as string).join('\n'));
};

beforeAll(async () => {
  gateway = await startTestGateway();
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-archive-plan-'));
  await withClient(gateway.database.url, (client) =>
    client.query(
      `insert into api_payloads (direction, provider, endpoint, http_method, payload, payload_bytes, created_at)
       select 'response', 'plan', '/archive', 'GET', jsonb_build_object('n', n), 10,
              timestamptz '2026-09-01T00:00:00Z' + n * interval '15 minutes'
         from generate_series(1, ${PAYLOADS}) n`,
    ),
  );
  await integrateAndSign(gateway.database.url, await createLogKey(folder));
});
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

it.each([
  ['as just integrated', false],
  ['once analyzed', true],
])('probes each body’s leaf by the (source, record_key) index, %s', async (_when, analyze) => {
  await withClient(gateway.database.url, async (client) => {
    if (analyze) await client.query('analyze api_payloads, merkle_leaves');
    const cutoff = '2026-12-01T00:00:00Z';
    for (const plan of [
      await planOf(client, MONTH_LEAVES_SQL, ['2026-09', '2026-09', cutoff, PAYLOADS + 10]),
      await planOf(client, ARCHIVE_PLAN_SQL, [PAYLOADS + 10, PAYLOADS + 10, PAYLOADS + 10, cutoff]),
    ]) {
      expect(plan).toContain('Index Scan using merkle_leaves_source_record_key_unique on merkle_leaves');
      expect(plan).not.toMatch(/Seq Scan on merkle_leaves|Join Filter|Hash Join/);
    }
  });
});
