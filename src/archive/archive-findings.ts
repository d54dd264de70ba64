import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import { ARCHIVE_EXTENSION } from './archive-file-names';
import { type ArchiveLine, readFrame } from './archive-file';
import { type ArchiveManifest, MANIFEST_SUFFIX, type ManifestRecord } from './archive-manifest';
import type { ArchiveSettings } from './archive-settings';
import { fileSizeAndSha256 } from './file-sha256';

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

/** The lowest and highest of `leaves` (a loop: a file's leaves are too many to spread into Math.min). */
export function leafRange(leaves: readonly number[]): [number, number] | undefined {
  if (leaves.length === 0) return undefined;
  let low = leaves[0]!;
  let high = low;
  for (const leaf of leaves) {
    if (leaf < low) low = leaf;
    if (leaf > high) high = leaf;
  }
  return [low, high];
}

/**
 * The archive files and the manifests in one folder of the archive, as names
 * relative to the archive folder (`bodies/2024-05.agarch`); a folder not
 * there yet holds none.
 */
export async function folderEntries(settings: ArchiveSettings, folder: string) {
  const entries = await readdir(path.join(settings.dir, folder)).catch(() => [] as string[]);
  const local = (entry: string) => `${folder}/${entry}`;
  return {
    files: new Set(entries.filter((entry) => entry.endsWith(ARCHIVE_EXTENSION)).map(local)),
    manifests: new Set(
      entries
        .filter((entry) => entry.endsWith(`${ARCHIVE_EXTENSION}${MANIFEST_SUFFIX}`))
        .map((entry) => local(entry.slice(0, -MANIFEST_SUFFIX.length))),
    ),
  };
}

/**
 * The checks of a whole file against its manifest, whatever it holds: the
 * configured key, its size and SHA-256, and a checkpoint the database signed
 * that covers its leaves. False when the file cannot be read with this key
 * (its frames are then not worth opening).
 */
export async function fileFindings(
  knex: Knex,
  settings: ArchiveSettings,
  name: string,
  manifest: ArchiveManifest,
  found: (finding: Omit<ArchiveFinding, 'file'>) => void,
): Promise<boolean> {
  const allLeaves = leafRange(manifest.records.map((record) => record.leafIndex));
  if (manifest.keyId !== settings.key.keyId) {
    found({
      problem: `written with key ${manifest.keyId}, not the configured key ${settings.key.keyId}`,
      leaves: allLeaves,
    });
    return false;
  }
  const whole = await fileSizeAndSha256(path.join(settings.dir, name));
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
  return true;
}

/**
 * Every frame of a file its manifest lists, read alone (tag, gunzip, lines)
 * and each line judged by `lineMatches` against the manifest's record at its
 * place, first of all the leaf index, source and key, which it must compare
 * too: a frame that cannot be read, a line count unlike the manifest's, and
 * the lines that do not match are findings naming the frame's bytes and leaves.
 */
export async function frameFindings(
  settings: ArchiveSettings,
  name: string,
  manifest: ArchiveManifest,
  found: (finding: Omit<ArchiveFinding, 'file'>) => void,
  lineMatches: (line: ArchiveLine, record: ManifestRecord | undefined, frame: number) => boolean,
  against: string,
): Promise<void> {
  const file = path.join(settings.dir, name);
  let recordAt = 0;
  for (const [number, frame] of manifest.frames.entries()) {
    const listed = manifest.records.slice(recordAt, recordAt + frame.records);
    recordAt += frame.records;
    const where = { frame: number, bytes: [frame.offset, frame.offset + frame.length - 1] as [number, number] };
    const leaves: [number, number] = [frame.firstLeaf, frame.lastLeaf];
    let lines: ArchiveLine[];
    try {
      lines = await readFrame(file, { number, offset: frame.offset, length: frame.length }, settings.key);
    } catch (error) {
      found({ ...where, leaves, problem: (error as Error).message });
      continue;
    }
    const bad = lines.filter((line, at) => !lineMatches(line, listed[at], number)).map((line) => line.leafIndex);
    if (lines.length !== frame.records)
      found({ ...where, leaves, problem: `holds ${lines.length} lines, its manifest ${frame.records}` });
    if (bad.length > 0)
      found({
        ...where,
        leaves: leafRange(bad),
        problem: `${bad.length} lines do not match ${against} (leaves ${bad.slice(0, 20).join(', ')}${bad.length > 20 ? ', …' : ''})`,
      });
  }
}

/** A line at its manifest record's place: the same leaf index, source and key. */
export const lineIsListed = (line: ArchiveLine, record: ManifestRecord | undefined): record is ManifestRecord =>
  record !== undefined &&
  record.leafIndex === line.leafIndex &&
  record.source === line.source &&
  record.key === line.key;
