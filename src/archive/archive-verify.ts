import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import {
  type ArchiveFinding,
  fileFindings,
  folderEntries,
  frameFindings,
  leafRange,
  lineIsListed,
} from './archive-findings';
import { type ArchiveManifest, readManifest } from './archive-manifest';
import { archivedRecordRanges } from './archive-records';
import { BODIES_FOLDER, RECORDS_FOLDER, type ArchiveSettings } from './archive-settings';
import { rangeFindings, verifyRecordsFile } from './verify-records';
import { emQueryable } from '../proof/em-queryable';
import { lineHoldsBody } from './archived-copies';

export type { ArchiveFinding } from './archive-findings';

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

/** Every check of one file that has a manifest: the whole file, each frame, each line, against the index and the tree. */
async function verifyFile(
  knex: Knex,
  settings: ArchiveSettings,
  name: string,
  manifest: ArchiveManifest,
  index: Map<string, IndexedBody>,
  findings: ArchiveFinding[],
): Promise<{ frames: number; records: number }> {
  const found = (finding: Omit<ArchiveFinding, 'file'>) => findings.push({ file: name, ...finding });
  if (!(await fileFindings(knex, settings, name, manifest, found))) return { frames: 0, records: 0 };
  const { rows: leafRows } = (await knex.raw(
    `select leaf_index::text, encode(leaf_hash, 'hex') as leaf_hash from merkle_leaves where leaf_index = any(?::bigint[])`,
    [manifest.records.map((record) => record.leafIndex)],
  )) as { rows: { leaf_index: string; leaf_hash: string }[] };
  const treeLeaves = new Map(leafRows.map((row) => [Number(row.leaf_index), row.leaf_hash]));
  const seen = new Set<string>();
  await frameFindings(
    settings,
    name,
    manifest,
    found,
    (line, record, frame) => {
      const indexed = index.get(line.key);
      const location = manifest.frames[frame];
      seen.add(line.key);
      return (
        lineIsListed(line, record) &&
        treeLeaves.get(record.leafIndex) === record.leafHash &&
        indexed !== undefined &&
        Number(indexed.leaf_index) === line.leafIndex &&
        indexed.frame_number === frame &&
        Number(indexed.frame_offset) === location?.offset &&
        indexed.frame_length === location.length &&
        lineHoldsBody(line, indexed.body_sha256)
      );
    },
    "the manifest, the tree's leaves or the database index",
  );
  const unseen = [...index.values()].filter((row) => !seen.has(row.key));
  if (unseen.length > 0)
    found({
      problem: `${unseen.length} bodies the database says are in this file are not read back from it`,
      leaves: leafRange(unseen.map((row) => Number(row.leaf_index))),
    });
  return { frames: manifest.frames.length, records: manifest.records.length };
}

/**
 * One folder of the archive: every file on disk, every manifest and every
 * file the database names (`recorded`), each checked by `check` once it is
 * there with a readable manifest; a file gone, a manifest gone or unreadable
 * is a finding naming the leaves the database says it held.
 */
async function verifyFolder(
  settings: ArchiveSettings,
  folder: string,
  recorded: readonly string[],
  findings: ArchiveFinding[],
  recordedLeaves: (name: string) => Promise<[number, number] | undefined>,
  check: (name: string, manifest: ArchiveManifest) => Promise<{ frames: number; records: number }>,
): Promise<{ files: number; frames: number; records: number }> {
  const { files, manifests } = await folderEntries(settings, folder);
  const names = [...new Set([...files, ...manifests, ...recorded])].sort();
  let frames = 0;
  let records = 0;
  for (const name of names) {
    if (!files.has(name)) {
      findings.push({
        file: name,
        problem: manifests.has(name) ? 'its manifest is here, the file is gone' : 'the file is gone (and its manifest)',
        leaves: await recordedLeaves(name),
      });
      continue;
    }
    if (!manifests.has(name)) {
      findings.push({ file: name, problem: 'the file has no manifest', leaves: await recordedLeaves(name) });
      continue;
    }
    let manifest: ArchiveManifest;
    try {
      manifest = await readManifest(path.join(settings.dir, name));
    } catch (error) {
      findings.push({ file: name, problem: (error as Error).message, leaves: await recordedLeaves(name) });
      continue;
    }
    const counted = await check(name, manifest);
    frames += counted.frames;
    records += counted.records;
  }
  return { files: names.length, frames, records };
}

/**
 * `auditgraph archive verify`: every archive file re-read against its
 * manifest and the database index — the whole file's hash, every frame's tag
 * and lines, each line's body against the index's hash and the tree's leaf;
 * a file the index names that is gone, a manifest without its file, a file
 * without its manifest; and a full archive's records files the same way,
 * against the ranges the record's events name (see verify-records.ts). The
 * run is an archive_verified COMPLIANCE event.
 */
export async function verifyArchive(
  em: EntityManager,
  settings: ArchiveSettings,
  actor: string,
): Promise<ArchiveVerifySummary> {
  const knex = em.getKnex();
  const findings: ArchiveFinding[] = [];
  const isFolder = await stat(settings.dir).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isFolder) findings.push({ file: settings.dir, problem: 'the archive folder cannot be read (missing?)' });
  const { rows: indexedFiles } = (await knex.raw(`select distinct archive_file from archived_bodies`)) as {
    rows: { archive_file: string }[];
  };
  const bodies = await verifyFolder(
    settings,
    BODIES_FOLDER,
    indexedFiles.map((row) => row.archive_file),
    findings,
    async (name) => leafRange([...(await indexOf(knex, name)).values()].map((row) => Number(row.leaf_index))),
    async (name, manifest) => verifyFile(knex, settings, name, manifest, await indexOf(knex, name), findings),
  );
  const ranges = await archivedRecordRanges(emQueryable(em));
  const recorded = new Map(ranges.map((range) => [range.file, range]));
  findings.push(...rangeFindings(ranges));
  const records = await verifyFolder(
    settings,
    RECORDS_FOLDER,
    [...recorded.keys()],
    findings,
    async (name) => {
      const range = recorded.get(name);
      return range && [range.firstLeaf, range.lastLeaf];
    },
    (name, manifest) => verifyRecordsFile(knex, settings, name, manifest, recorded.get(name), findings),
  );
  const files = bodies.files + records.files;
  const frames = bodies.frames + records.frames;
  const recordCount = bodies.records + records.records;
  const event = await inWriteTransaction(em, (trx) =>
    appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'archive_verified',
      data: {
        files,
        frames,
        records: recordCount,
        findings: findings.length,
        whole: findings.length === 0,
      },
      actor,
    }),
  );
  return {
    archiveDir: settings.dir,
    keyId: settings.key.keyId,
    files,
    frames,
    records: recordCount,
    findings,
    eventSeq: event.seq,
  };
}
