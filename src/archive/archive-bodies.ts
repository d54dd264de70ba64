import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { LogType } from '../entities/audit-event.entity';
import { canonicalBytes, canonicalSha256 } from '../integrator/canonical-json';
import { parseExactJson } from '../json/exact-json';
import { leafHash } from '../merkle/tree-hash';
import { newestCheckpoint } from '../proof/checkpoint-reads';
import { emQueryable } from '../proof/em-queryable';
import { recordsOf, refKey } from '../proof/leaf-reads';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { archivePlan, type ArchivePlan, bodiesOfMonth, type BodyToArchive } from './archive-candidates';
import { ArchiveUnreadableError } from './archive-error';
import { type ArchiveLine, readArchiveFrames, writeArchiveFile } from './archive-file';
import { nextBodiesFileName } from './archive-file-names';
import { fileSizeAndSha256 } from './file-sha256';
import type { ArchiveManifest } from './archive-manifest';
import { type ArchiveSettings, BODIES_FOLDER, writableArchiveFolder } from './archive-settings';

const SOURCE = 'api_payloads';

/** The window `--older-than` gives (parsed by the retention purge's own parser). */
type ArchiveWindow = { days: number; cutoff: Date };

export type ArchivedFile = {
  file: string;
  month: string;
  records: number;
  bytes: number;
  sha256: string;
  firstLeaf: number;
  lastLeaf: number;
  eventSeq: string;
};

export type ArchiveRunSummary = {
  olderThanDays: number;
  cutoff: string;
  executed: boolean;
  /** The signed checkpoint every archived leaf is under; null: none signed yet, nothing can be archived. */
  checkpointTreeSize: number | null;
  keyId: string;
  /** Bodies (and their bytes) archived, or in a dry run, that would be. */
  bodies: number;
  bodyBytes: number;
  months: ArchivePlan['months'];
  files: ArchivedFile[];
  /** Past the cutoff, but their leaf not yet integrated or under a signed checkpoint: a later run takes them. */
  waiting: number;
  /** Bodies whose row no longer matches its leaf (their record was changed): never archived, named here. */
  mismatched: string[];
};

type Expected = { leafIndex: number; leafHash: string; sha256: string };
type IndexRow = { key: string; frameOffset: number; frameLength: number; frameNumber: number; sha256: string };

/**
 * The month's lines, each body checked against its leaf first: the record
 * its row makes now (the leaf sources' own encoding) hashes to the leaf the
 * tree holds, and carries the body's canonical SHA-256 as payloadSha256. A
 * body that fails is left out and named: the archive keeps only what proves.
 */
async function* checkedLines(
  em: EntityManager,
  chunks: AsyncGenerator<BodyToArchive[]>,
  expected: Map<string, Expected>,
  mismatched: string[],
): AsyncGenerator<ArchiveLine> {
  for await (const chunk of chunks) {
    const records = await recordsOf(
      emQueryable(em),
      chunk.map(({ key }) => ({ source: SOURCE, key })),
    );
    for (const body of chunk) {
      const sha256 = canonicalSha256(parseExactJson(body.body));
      const record = records.get(refKey({ source: SOURCE, key: body.key }));
      if (
        !record ||
        record.payloadSha256 !== sha256 ||
        leafHash(canonicalBytes(record)).toString('hex') !== body.leafHash
      ) {
        mismatched.push(body.key);
        continue;
      }
      expected.set(body.key, { leafIndex: body.leafIndex, leafHash: body.leafHash, sha256 });
      yield {
        leafIndex: body.leafIndex,
        source: SOURCE,
        key: body.key,
        createdAt: body.createdAt,
        sha256,
        body: body.body,
      };
    }
  }
}

/**
 * Reads a just-written file back as any later reader will (every frame's
 * tag, every line) and matches it to what was meant: the manifest's frames
 * and hash, and each line's body to the database body's canonical SHA-256.
 * Returns the index rows; throws, indexing nothing, on any difference.
 */
async function readBack(
  file: string,
  manifest: ArchiveManifest,
  settings: ArchiveSettings,
  expected: Map<string, Expected>,
): Promise<IndexRow[]> {
  const fail = (why: string) => {
    throw new ArchiveUnreadableError(
      `reading back ${file} found ${why}; nothing was indexed and no body will be purged from it`,
    );
  };
  if ((await fileSizeAndSha256(file)).sha256 !== manifest.sha256) fail('a file whose SHA-256 is not its manifest’s');
  const rows: IndexRow[] = [];
  for await (const frame of readArchiveFrames(file, settings.key)) {
    const listed = manifest.frames[frame.number];
    if (!listed || listed.offset !== frame.offset || listed.length !== frame.length || listed.sha256 !== frame.sha256)
      fail(`frame ${frame.number} unlike its manifest entry`);
    for (const line of frame.lines) {
      const meant = expected.get(line.key);
      const sha256 = typeof line.body === 'string' ? canonicalSha256(parseExactJson(line.body)) : undefined;
      if (!meant || meant.leafIndex !== line.leafIndex || line.sha256 !== meant.sha256 || sha256 !== meant.sha256)
        fail(`payload ${line.key} (leaf ${line.leafIndex}) not matching the database body`);
      rows.push({
        key: line.key,
        frameOffset: frame.offset,
        frameLength: frame.length,
        frameNumber: frame.number,
        sha256: meant!.sha256,
      });
    }
  }
  if (rows.length !== expected.size) fail(`${rows.length} bodies where ${expected.size} were written`);
  return rows;
}

/** The index rows and the archive_written event, in one transaction: a file is indexed whole or not at all. */
async function indexFile(
  trx: Knex.Transaction,
  name: string,
  month: string,
  manifest: ArchiveManifest,
  rows: IndexRow[],
  actor: string,
): Promise<string> {
  await trx.raw(
    `insert into archived_bodies (api_payload_id, archive_file, frame_offset, frame_length, frame_number, body_sha256)
     select id, ?, frame_offset, frame_length, frame_number, sha256
       from unnest(?::bigint[], ?::bigint[], ?::int[], ?::int[], ?::text[])
         as b(id, frame_offset, frame_length, frame_number, sha256)`,
    [
      name,
      rows.map((row) => row.key),
      rows.map((row) => row.frameOffset),
      rows.map((row) => row.frameLength),
      rows.map((row) => row.frameNumber),
      rows.map((row) => row.sha256),
    ],
  );
  const event = await appendEvent(trx, {
    logType: LogType.COMPLIANCE,
    event: 'archive_written',
    data: {
      folder: BODIES_FOLDER,
      file: name,
      month,
      records: rows.length,
      frames: manifest.frames.length,
      bytes: manifest.bytes,
      sha256: manifest.sha256,
      keyId: manifest.keyId,
      firstLeaf: manifest.records[0]!.leafIndex,
      lastLeaf: manifest.records[manifest.records.length - 1]!.leafIndex,
    },
    subjectTable: SOURCE,
    actor,
  });
  return event.seq;
}

/**
 * `auditgraph archive`: the payload bodies created before the cutoff and not
 * archived yet, one new file per UTC month (never rewriting one), each
 * fsynced, read back and matched before its index rows and archive_written
 * event are committed together. The manifest names the newest signed
 * checkpoint; bodies whose leaf it does not cover wait for a later run. A
 * dry run plans the same and writes nothing.
 */
export async function archiveBodies(
  em: EntityManager,
  window: ArchiveWindow,
  settings: ArchiveSettings,
  options: { execute: boolean; actor: string; onProgress?: (bodies: number, total: number, month: string) => void },
): Promise<ArchiveRunSummary> {
  const knex = em.getKnex();
  const checkpoint = await newestCheckpoint(emQueryable(em));
  const treeSize = checkpoint?.treeSize ?? 0;
  const plan = await archivePlan(knex, window.cutoff, treeSize);
  const summary: ArchiveRunSummary = {
    olderThanDays: window.days,
    cutoff: window.cutoff.toISOString(),
    executed: options.execute,
    checkpointTreeSize: checkpoint?.treeSize ?? null,
    keyId: settings.key.keyId,
    bodies: plan.months.reduce((sum, month) => sum + month.bodies, 0),
    bodyBytes: plan.months.reduce((sum, month) => sum + month.bodyBytes, 0),
    months: plan.months,
    files: [],
    waiting: plan.waiting,
    mismatched: [],
  };
  if (!options.execute || !checkpoint || plan.months.length === 0) return summary;
  const bodiesDir = await writableArchiveFolder(settings, BODIES_FOLDER);
  await mkdir(bodiesDir, { recursive: true });
  let bodies = 0;
  for (const { month } of plan.months) {
    const name = await nextBodiesFileName(knex, settings.dir, month);
    const file = path.join(settings.dir, name);
    const expected = new Map<string, Expected>();
    const lines = checkedLines(em, bodiesOfMonth(knex, window.cutoff, treeSize, month), expected, summary.mismatched);
    let first: IteratorResult<ArchiveLine>;
    // A month whose every body failed its leaf gets no file (an archive file holds at least one line).
    if ((first = await lines.next()).done) continue;
    async function* all() {
      yield first.value as ArchiveLine;
      yield* lines;
    }
    const manifest = await writeArchiveFile(file, all(), settings.key, {
      checkpoint: checkpoint.note,
      leafHashOf: (line) => expected.get(line.key)!.leafHash,
    });
    const rows = await readBack(file, manifest, settings, expected);
    const eventSeq = await inWriteTransaction(em, (trx) => indexFile(trx, name, month, manifest, rows, options.actor));
    bodies += rows.length;
    options.onProgress?.(bodies, summary.bodies, month);
    summary.files.push({
      file: name,
      month,
      records: rows.length,
      bytes: manifest.bytes,
      sha256: manifest.sha256,
      firstLeaf: manifest.records[0]!.leafIndex,
      lastLeaf: manifest.records[manifest.records.length - 1]!.leafIndex,
      eventSeq,
    });
  }
  summary.bodies = bodies;
  summary.bodyBytes = plan.months.reduce((sum, month) => sum + month.bodyBytes, 0);
  return summary;
}
