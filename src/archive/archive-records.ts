import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { LogType } from '../entities/audit-event.entity';
import type { Queryable } from '../integrator/pg-hash-store';
import { newestCheckpoint } from '../proof/checkpoint-reads';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { LEAVES_PER_FILE, type LeafLine, recordsFileOf } from '../restore/export-layout';
import { leafLines, leafRowsSql } from '../restore/leaf-lines';
import { EXACT_TEXT_SETTINGS } from '../restore/table-columns';
import { BadInputError } from '../base/errors';
import { ArchiveUnreadableError } from './archive-error';
import { type ArchiveLine, readArchiveFrames, writeArchiveFile } from './archive-file';
import { exists } from './archive-file-names';
import { type ArchiveManifest, manifestPathOf } from './archive-manifest';
import { type ArchiveSettings, RECORDS_FOLDER, writableArchiveFolder } from './archive-settings';
import { fileSizeAndSha256 } from './file-sha256';

/** One records file a full archive wrote: a consecutive leaf range, read back and matched. */
export type ArchivedRecordsFile = {
  file: string;
  firstLeaf: number;
  lastLeaf: number;
  rows: number;
  bytes: number;
  sha256: string;
  eventSeq: string;
};

export type RecordsRunSummary = {
  cutoff: string;
  executed: boolean;
  checkpointTreeSize: number | null;
  /** Leaves [firstLeaf, endLeaf) are archived by this run, or in a dry run would be; none when equal. */
  firstLeaf: number;
  endLeaf: number;
  files: ArchivedRecordsFile[];
};

/**
 * The leaf ranges the record says a full archive holds, in leaf order: one
 * per `archive_written` event of the records folder. The archive's own
 * account of itself, in the tamper-evident record rather than in a file a
 * WORM folder could lose.
 */
export async function archivedRecordRanges(
  connection: Queryable,
): Promise<{ file: string; firstLeaf: number; lastLeaf: number; sha256: string }[]> {
  const { rows } = await connection.query<{ file: string; firstLeaf: number; lastLeaf: number; sha256: string }>(
    `select event_data ->> 'file' as file, (event_data ->> 'firstLeaf')::bigint::float8 as "firstLeaf",
            (event_data ->> 'lastLeaf')::bigint::float8 as "lastLeaf", event_data ->> 'sha256' as sha256
       from audit_events
      where event = 'archive_written' and event_data @> $1::jsonb
      order by (event_data ->> 'firstLeaf')::bigint, seq`,
    [JSON.stringify({ folder: RECORDS_FOLDER })],
  );
  return rows;
}

/**
 * The range a run takes, in one snapshot: from the leaf after the last one
 * archived to the last leaf both under the newest signed checkpoint and
 * integrated before the cutoff — integration runs in leaf order, so those
 * leaves are a prefix of the tree and every file a consecutive range.
 */
async function plannedRange(connection: pg.ClientBase, cutoff: Date) {
  const head = await newestCheckpoint(connection);
  const ranges = await archivedRecordRanges(connection);
  const firstLeaf = ranges.length === 0 ? 0 : ranges[ranges.length - 1]!.lastLeaf + 1;
  if (!head) return { checkpoint: null, firstLeaf, endLeaf: firstLeaf };
  const {
    rows: [end],
  } = await connection.query<{ end: number }>(
    `select coalesce(max(leaf_index) + 1, 0)::float8 as end from merkle_leaves where leaf_index < $1 and integrated_at < $2`,
    [head.treeSize, cutoff],
  );
  return { checkpoint: head, firstLeaf, endLeaf: Math.max(firstLeaf, end!.end) };
}

/**
 * Reads a just-written records file back as `archive verify` will and
 * matches it to the manifest: the file's hash, every frame, and every line's
 * leaf (index and hash) in order. Throws, recording nothing, on any difference.
 */
async function readBack(file: string, manifest: ArchiveManifest, settings: ArchiveSettings): Promise<void> {
  const fail = (why: string): never => {
    throw new ArchiveUnreadableError(`reading back ${file} found ${why}; it is not recorded as archived`);
  };
  if ((await fileSizeAndSha256(file)).sha256 !== manifest.sha256) fail('a file whose SHA-256 is not its manifest’s');
  let at = 0;
  for await (const frame of readArchiveFrames(file, settings.key)) {
    const listed = manifest.frames[frame.number];
    if (!listed || listed.offset !== frame.offset || listed.sha256 !== frame.sha256)
      fail(`frame ${frame.number} unlike its manifest entry`);
    for (const line of frame.lines) {
      const record = manifest.records[at++];
      if (!record || record.leafIndex !== line.leafIndex || record.leafHash !== (line as LeafLine).leafHash)
        fail(`leaf ${line.leafIndex} not the one its manifest lists`);
    }
  }
  if (at !== manifest.records.length) fail(`${at} leaves where ${manifest.records.length} were written`);
}

/**
 * `auditgraph archive --full`, after the bodies: every record past the hot
 * window — each leaf with the rows it stands for, every column PostgreSQL's
 * own text, as `export --all` writes them — into `records/`, a new file per
 * range of at most LEAVES_PER_FILE leaves, from where the last run stopped.
 * Each file is written in one REPEATABLE READ snapshot, fsynced, read back and
 * matched, then recorded by an archive_written event naming its range (the
 * next run starts after it). A dry run plans the same and writes nothing.
 */
export async function archiveRecords(
  connection: pg.ClientBase,
  em: EntityManager,
  cutoff: Date,
  settings: ArchiveSettings,
  options: { execute: boolean; actor: string; onProgress?: (leaves: number, total: number) => void },
): Promise<RecordsRunSummary> {
  await connection.query('begin isolation level repeatable read read only');
  try {
    await connection.query(EXACT_TEXT_SETTINGS);
    const plan = await plannedRange(connection, cutoff);
    const summary: RecordsRunSummary = {
      cutoff: cutoff.toISOString(),
      executed: options.execute,
      checkpointTreeSize: plan.checkpoint?.treeSize ?? null,
      firstLeaf: plan.firstLeaf,
      endLeaf: plan.endLeaf,
      files: [],
    };
    if (options.execute && plan.checkpoint && plan.endLeaf > plan.firstLeaf) {
      const folder = await writableArchiveFolder(settings, RECORDS_FOLDER);
      await mkdir(folder, { recursive: true });
      const sql = await leafRowsSql(connection);
      for (let first = plan.firstLeaf; first < plan.endLeaf; first += LEAVES_PER_FILE) {
        const last = Math.min(plan.endLeaf, first + LEAVES_PER_FILE) - 1;
        summary.files.push(await archiveRange(first, last, sql, plan.checkpoint.note));
        options.onProgress?.(last + 1 - plan.firstLeaf, plan.endLeaf - plan.firstLeaf);
      }
    }
    await connection.query('commit');
    return summary;
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    throw error;
  }

  async function archiveRange(first: number, last: number, sql: string, checkpoint: string) {
    const name = recordsFileOf(first, last);
    const file = path.join(settings.dir, name);
    // The record names every range archived: a file already here under this range's name is one the record
    // does not know (a run that failed after writing, or a foreign file). Kept as found, for an operator to judge.
    if ((await exists(file)) || (await exists(manifestPathOf(file))))
      throw new BadInputError(
        `${file} is already in the archive, but no archive_written event names it: run auditgraph archive verify, ` +
          'and move the file aside once it is understood',
        'archive-dir',
      );
    let rows = 0;
    async function* counted(): AsyncGenerator<ArchiveLine> {
      for await (const line of leafLines(connection, sql, first, last + 1)) {
        rows += line.rows.length;
        yield line;
      }
    }
    const manifest = await writeArchiveFile(file, counted(), settings.key, {
      checkpoint,
      leafHashOf: (line) => (line as LeafLine).leafHash,
    });
    await readBack(file, manifest, settings);
    const event = await inWriteTransaction(em, (trx) =>
      appendEvent(trx, {
        logType: LogType.COMPLIANCE,
        event: 'archive_written',
        data: {
          folder: RECORDS_FOLDER,
          file: name,
          records: manifest.records.length,
          rows,
          frames: manifest.frames.length,
          bytes: manifest.bytes,
          sha256: manifest.sha256,
          keyId: manifest.keyId,
          firstLeaf: first,
          lastLeaf: last,
        },
        actor: options.actor,
      }),
    );
    return {
      file: name,
      firstLeaf: first,
      lastLeaf: last,
      rows,
      bytes: manifest.bytes,
      sha256: manifest.sha256,
      eventSeq: event.seq,
    };
  }
}
