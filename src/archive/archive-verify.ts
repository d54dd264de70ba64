import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { readFrame } from './archive-file';
import { ARCHIVE_EXTENSION } from './archive-file-names';
import { type ArchiveManifest, MANIFEST_SUFFIX, readManifest } from './archive-manifest';
import { BODIES_FOLDER, type ArchiveSettings } from './archive-settings';
import { lineHoldsBody } from './archived-copies';

/** Something in the archive that no longer matches: the file, and where known the frame, its bytes and its leaves. */
export type ArchiveFinding = {
  file: string;
  problem: string;
  frame?: number;
  /** First and last byte of the frame. */
  bytes?: [number, number];
  /** First and last leaf index the finding concerns. */
  leaves?: [number, number];
};

export type ArchiveVerifySummary = {
  archiveDir: string;
  keyId: string;
  files: number;
  frames: number;
  records: number;
  findings: ArchiveFinding[];
  eventSeq: string;
};

type IndexedBody = {
  key: string;
  frame_offset: string;
  frame_length: number;
  frame_number: number;
  body_sha256: string;
  leaf_index: string | null;
};

async function namesOnDisk(bodiesDir: string): Promise<string[] | null> {
  try {
    return await readdir(bodiesDir);
  } catch {
    return null;
  }
}

async function sizeAndSha256(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { bytes: (await stat(file)).size, sha256: hash.digest('hex') };
}

/** The index rows of one file, by payload id, with each payload's leaf. */
async function indexOf(knex: Knex, name: string): Promise<Map<string, IndexedBody>> {
  const { rows } = (await knex.raw(
    `select a.api_payload_id::text as key, a.frame_offset::text, a.frame_length, a.frame_number, a.body_sha256,
            l.leaf_index::text as leaf_index
       from archived_bodies a
       left join merkle_leaves l on l.source = 'api_payloads' and l.record_key = a.api_payload_id::text
      where a.archive_file = ?`,
    [name],
  )) as { rows: IndexedBody[] };
  return new Map(rows.map((row) => [row.key, row]));
}

function leafRange(leaves: number[]): [number, number] | undefined {
  return leaves.length === 0 ? undefined : [Math.min(...leaves), Math.max(...leaves)];
}

/** Every check of one file that has a manifest: the whole file, each frame, each line, against the index and the tree. */
async function verifyFile(
  knex: Knex,
  settings: ArchiveSettings,
  name: string,
  manifest: ArchiveManifest,
  index: Map<string, IndexedBody>,
  findings: ArchiveFinding[],
): Promise<{ frames: number; records: number }> {
  const file = path.join(settings.dir, name);
  const found = (finding: Omit<ArchiveFinding, 'file'>) => findings.push({ file: name, ...finding });
  const allLeaves = leafRange(manifest.records.map((record) => record.leafIndex));
  if (manifest.keyId !== settings.key.keyId) {
    found({
      problem: `written with key ${manifest.keyId}, not the configured key ${settings.key.keyId}`,
      leaves: allLeaves,
    });
    return { frames: 0, records: 0 };
  }
  const whole = await sizeAndSha256(file);
  if (whole.bytes !== manifest.bytes || whole.sha256 !== manifest.sha256)
    found({
      problem: `the file (${whole.bytes} bytes) is not the one its manifest describes (${manifest.bytes} bytes)`,
      leaves: allLeaves,
    });
  const treeSize = Number(/^[^\n]*\n(\d+)\n/.exec(manifest.checkpoint)?.[1] ?? -1);
  const { rows: signed } = (await knex.raw(`select 1 from merkle_checkpoints where tree_size = ? and note = ?`, [
    treeSize,
    manifest.checkpoint,
  ])) as { rows: unknown[] };
  if (signed.length === 0 || (allLeaves && allLeaves[1] >= treeSize))
    found({
      problem: 'its manifest names a checkpoint the database did not sign, or one that does not cover its leaves',
    });
  const { rows: leafRows } = (await knex.raw(
    `select leaf_index::text, encode(leaf_hash, 'hex') as leaf_hash from merkle_leaves where leaf_index = any(?::bigint[])`,
    [manifest.records.map((record) => record.leafIndex)],
  )) as { rows: { leaf_index: string; leaf_hash: string }[] };
  const treeLeaves = new Map(leafRows.map((row) => [Number(row.leaf_index), row.leaf_hash]));
  let recordAt = 0;
  const seen = new Set<string>();
  for (const [number, frame] of manifest.frames.entries()) {
    const listed = manifest.records.slice(recordAt, recordAt + frame.records);
    recordAt += frame.records;
    const where = { frame: number, bytes: [frame.offset, frame.offset + frame.length - 1] as [number, number] };
    const leaves: [number, number] = [frame.firstLeaf, frame.lastLeaf];
    let lines;
    try {
      lines = await readFrame(file, { number, offset: frame.offset, length: frame.length }, settings.key);
    } catch (error) {
      found({ ...where, leaves, problem: (error as Error).message });
      continue;
    }
    const bad: number[] = [];
    lines.forEach((line, at) => {
      const record = listed[at];
      const indexed = index.get(line.key);
      seen.add(line.key);
      if (
        !record ||
        record.leafIndex !== line.leafIndex ||
        record.source !== line.source ||
        record.key !== line.key ||
        treeLeaves.get(record.leafIndex) !== record.leafHash ||
        !indexed ||
        Number(indexed.leaf_index) !== line.leafIndex ||
        indexed.frame_number !== number ||
        Number(indexed.frame_offset) !== frame.offset ||
        indexed.frame_length !== frame.length ||
        !lineHoldsBody(line, indexed.body_sha256)
      )
        bad.push(line.leafIndex);
    });
    if (lines.length !== frame.records)
      found({ ...where, leaves, problem: `holds ${lines.length} lines, its manifest ${frame.records}` });
    if (bad.length > 0)
      found({
        ...where,
        leaves: leafRange(bad),
        problem: `${bad.length} lines do not match the manifest, the tree's leaves or the database index (leaves ${bad.join(', ')})`,
      });
  }
  const unseen = [...index.values()].filter((row) => !seen.has(row.key));
  if (unseen.length > 0)
    found({
      problem: `${unseen.length} bodies the database says are in this file are not read back from it`,
      leaves: leafRange(unseen.map((row) => Number(row.leaf_index))),
    });
  return { frames: manifest.frames.length, records: manifest.records.length };
}

/**
 * `auditgraph archive verify`: every archive file re-read against its
 * manifest and the database index — the whole file's hash, every frame's tag
 * and lines, each line's body against the index's hash and the tree's leaf;
 * a file the index names that is gone, a manifest without its file, a file
 * without its manifest. The run is an archive_verified COMPLIANCE event.
 */
export async function verifyArchive(
  em: EntityManager,
  settings: ArchiveSettings,
  actor: string,
): Promise<ArchiveVerifySummary> {
  const knex = em.getKnex();
  const bodiesDir = path.join(settings.dir, BODIES_FOLDER);
  const findings: ArchiveFinding[] = [];
  const onDisk = await namesOnDisk(bodiesDir);
  if (onDisk === null) findings.push({ file: bodiesDir, problem: 'the archive folder cannot be read (missing?)' });
  const local = (entry: string) => `${BODIES_FOLDER}/${entry}`;
  const files = new Set((onDisk ?? []).filter((entry) => entry.endsWith(ARCHIVE_EXTENSION)).map(local));
  const manifests = new Set(
    (onDisk ?? [])
      .filter((entry) => entry.endsWith(`${ARCHIVE_EXTENSION}${MANIFEST_SUFFIX}`))
      .map((entry) => local(entry.slice(0, -MANIFEST_SUFFIX.length))),
  );
  const { rows: indexedFiles } = (await knex.raw(`select distinct archive_file from archived_bodies`)) as {
    rows: { archive_file: string }[];
  };
  const names = [...new Set([...files, ...manifests, ...indexedFiles.map((row) => row.archive_file)])].sort();
  let frames = 0;
  let records = 0;
  for (const name of names) {
    const index = await indexOf(knex, name);
    const indexedLeaves = leafRange([...index.values()].map((row) => Number(row.leaf_index)));
    if (!files.has(name)) {
      findings.push({
        file: name,
        problem: manifests.has(name) ? 'its manifest is here, the file is gone' : 'the file is gone (and its manifest)',
        leaves: indexedLeaves,
      });
      continue;
    }
    if (!manifests.has(name)) {
      findings.push({ file: name, problem: 'the file has no manifest', leaves: indexedLeaves });
      continue;
    }
    let manifest: ArchiveManifest;
    try {
      manifest = await readManifest(path.join(settings.dir, name));
    } catch (error) {
      findings.push({ file: name, problem: (error as Error).message, leaves: indexedLeaves });
      continue;
    }
    const counted = await verifyFile(knex, settings, name, manifest, index, findings);
    frames += counted.frames;
    records += counted.records;
  }
  const event = await inWriteTransaction(em, (trx) =>
    appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'archive_verified',
      data: { files: names.length, frames, records, findings: findings.length, whole: findings.length === 0 },
      actor,
    }),
  );
  return {
    archiveDir: settings.dir,
    keyId: settings.key.keyId,
    files: names.length,
    frames,
    records,
    findings,
    eventSeq: event.seq,
  };
}
