import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import type { ArchiveKey } from '../src/archive/archive-key';
import { archiveKeyId } from '../src/archive/archive-key';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { signCheckpointIfDue } from '../src/integrator/checkpoint-signer';
import { integrateAll } from '../src/integrator/integrate-all';
import { openExport } from '../src/restore/export-package';
import { exportAll } from '../src/restore/export-records';
import { restoreExport } from '../src/restore/restore-records';
import { createTestDatabase, type TestDatabase } from './harness/database';

/**
 * Whatever a record holds — any Unicode, numbers past any float, the edges of
 * the timestamp range — comes back from export and restore byte for byte as
 * PostgreSQL's text of each column, and every leaf re-hashes to its export.
 */
const hostileText = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((text) => !text.includes('\u0000'));
const hostileNumber = fc.oneof(
  fc.constantFrom('123456789012345678901234567890.000000000000000000001', '1e400', '-0.0', '0.10', '9007199254740993'),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
);
const hostilePayload = fc.record({ text: hostileText, number: hostileNumber, key: hostileText });
const EDGE_INSTANTS = [
  '0001-01-01 00:00:00.000001+00',
  '1969-12-31 23:59:59.999999+00',
  '9999-12-31 23:59:59.999999+00',
];

const columns = `id::text, payload::text, endpoint, provider, created_at::text, correlation_id, recorded_xid::text`;

describe(`export and restore keep every byte (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'})`, () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), 'auditgraph-exact-'));
  const keyBytes = randomBytes(32);
  const key: ArchiveKey = { bytes: keyBytes, keyId: archiveKeyId(keyBytes) };

  beforeAll(async () => {
    [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([source?.drop(), target?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores hostile rows exactly, with the same tree', async () => {
    const payloads = fc.sample(hostilePayload, { numRuns: 60, seed: 17 });
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    try {
      for (const [at, payload] of payloads.entries()) {
        // The body as text, numbers spelled as given: jsonb keeps them as numeric, never as a double.
        const body = `{"text": ${JSON.stringify(payload.text)}, "n": ${payload.number}, ${JSON.stringify(payload.key)}: [${payload.number}]}`;
        await client.query(
          `insert into api_payloads (direction, provider, endpoint, http_method, payload, payload_bytes, correlation_id, created_at)
           values ('response', $1, $2, 'GET', $3::jsonb, $4, $5, $6)`,
          [payload.key || 'p', payload.text || 'e', body, Buffer.byteLength(body), payload.text, EDGE_INSTANTS[at % 3]],
        );
      }
      await integrateAll(source.url);
      const signer = parseSignerKey(generateNoteKey('exact.test').signerKey);
      await signCheckpointIfDue(client, { signer, origin: 'exact.test', intervalS: 0 });
      await exportAll(client, dir, key);
    } finally {
      await client.end();
    }
    const opened = await openExport(dir, null);
    const restoring = new pg.Client({ connectionString: target.url });
    await restoring.connect();
    try {
      const restored = await restoreExport(restoring, opened, key);
      expect(restored.treeSize).toBe(opened.checkpoint.size);
      expect(restored.root).toBe(opened.checkpoint.root.toString('hex'));
    } finally {
      await restoring.end();
    }
    const read = async (url: string) => {
      const reader = new pg.Client({ connectionString: url, options: '-c timezone=UTC' });
      await reader.connect();
      try {
        return (await reader.query(`select ${columns} from api_payloads order by id`)).rows;
      } finally {
        await reader.end();
      }
    };
    const [before, after] = await Promise.all([read(source.url), read(target.url)]);
    expect(after).toHaveLength(payloads.length);
    expect(after).toEqual(before);
  });
});
