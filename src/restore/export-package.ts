import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type ArchiveLine, type ArchiveManifest, readArchiveFrames, readManifest } from '../archive/archive-file';
import type { ArchiveKey } from '../archive/archive-key';
import { fileSizeAndSha256 } from '../archive/file-sha256';
import type { Checkpoint } from '../checkpoint/checkpoint-body';
import { openCheckpoint } from '../checkpoint/checkpoint-note';
import { type NoteVerifier, parseVerifierKey } from '../checkpoint/note-keys';
import { EXPORT_FORMAT, EXPORT_MANIFEST, type ExportManifest, type LeafLine } from './export-layout';
import { DomainError } from '../base/errors';
import { RestoreRefusedError } from './restore-errors';

const rowText = z.record(z.string(), z.string().nullable());
const fileSchema = z.string().regex(/^(records|tables)\/[a-z0-9_-]+(\.[a-z0-9]+)*$/);

const exportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  checkpoint: z.string().min(1),
  treeSize: z.number().int().min(1),
  root: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  exportedAt: z.string(),
  maxRecordedXid: z.string().regex(/^[0-9]+$/),
  records: z.array(
    z.object({ file: fileSchema, firstLeaf: z.number().int().min(0), lastLeaf: z.number().int().min(0) }),
  ),
  tables: z.array(z.object({ file: fileSchema, table: z.string(), rows: z.number().int().min(0) })),
  checkpoints: z.array(rowText),
  checkpointKeys: z.array(rowText),
  notExported: z.record(z.string(), z.string()),
});

const unreadable = (message: string) => new RestoreRefusedError('PACKAGE_UNREADABLE', message);
const mismatch = (message: string) => new RestoreRefusedError('PACKAGE_MISMATCH', message);

/** An export folder whose top manifest was read and whose checkpoint opened with a trusted key. */
export type OpenedExport = { dir: string; manifest: ExportManifest; checkpoint: Checkpoint; trustedBy: string };

/**
 * Reads `dir/export.json` and checks it against its own checkpoint: the note
 * is signed by one of `trusted` (or, when none are given, by a key the
 * package lists — which says only that the package is whole, not who wrote
 * it), its tree size and root are the manifest's, and the records files
 * cover leaves 0 … size − 1 once each, in order.
 */
export async function openExport(dir: string, trusted: readonly NoteVerifier[] | null): Promise<OpenedExport> {
  const file = path.join(dir, EXPORT_MANIFEST);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw unreadable(`${file} cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success)
    throw unreadable(`${file} is not an ${EXPORT_FORMAT} manifest (at ${parsed.error.issues[0]?.path.join('.')})`);
  const manifest = parsed.data as ExportManifest;
  const verifiers = trusted ?? manifest.checkpointKeys.map((row) => parseVerifierKey(row.verifier_key ?? ''));
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(manifest.checkpoint, verifiers).checkpoint;
  } catch (error) {
    throw mismatch(`${file}: its checkpoint does not open with the trusted keys (${(error as Error).message})`);
  }
  if (checkpoint.size !== manifest.treeSize || checkpoint.root.toString('hex') !== manifest.root)
    throw mismatch(
      `${file} says tree size ${manifest.treeSize}, root ${manifest.root}; its signed checkpoint says ` +
        `${checkpoint.size}, ${checkpoint.root.toString('hex')}`,
    );
  let next = 0;
  for (const { file: records, firstLeaf, lastLeaf } of manifest.records) {
    if (firstLeaf !== next || lastLeaf < firstLeaf)
      throw mismatch(`${file}: ${records} holds leaves ${firstLeaf}–${lastLeaf}, expected from leaf ${next}`);
    next = lastLeaf + 1;
  }
  if (next !== checkpoint.size)
    throw mismatch(`${file}: its records files hold ${next} leaves, its checkpoint signs ${checkpoint.size}`);
  return { dir, manifest, checkpoint, trustedBy: trusted ? 'the given keys' : "the package's own checkpoint keys" };
}

const sha256OfFile = (file: string) =>
  fileSizeAndSha256(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(`cannot read ${file}: ${error.code ?? error.message}`);
  });

/** Which listed frame of a changed file no longer has its manifest's hash, with its byte range; null for none. */
async function firstChangedFrame(file: string, manifest: ArchiveManifest): Promise<string | null> {
  const handle = await open(file, 'r');
  try {
    for (const [number, frame] of manifest.frames.entries()) {
      const bytes = Buffer.alloc(frame.length);
      const { bytesRead } = await handle.read(bytes, 0, frame.length, frame.offset);
      const range = `bytes ${frame.offset}–${frame.offset + frame.length - 1}`;
      if (bytesRead < frame.length) return `${file} frame ${number} (${range}) is cut short`;
      if (createHash('sha256').update(bytes).digest('hex') !== frame.sha256)
        return `${file} frame ${number} (${range}, leaves ${frame.firstLeaf}–${frame.lastLeaf}) no longer has its manifest's SHA-256`;
    }
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * The manifest of one file of the export, checked against the file's whole
 * bytes and against the export's checkpoint and key: a changed byte, a
 * missing file or a manifest signed at another checkpoint is named here,
 * before any of the file is used.
 */
export async function checkedFileManifest(opened: OpenedExport, file: string, keyId: string): Promise<ArchiveManifest> {
  const where = path.join(opened.dir, file);
  let manifest: ArchiveManifest;
  try {
    manifest = await readManifest(where);
  } catch (error) {
    throw unreadable((error as Error).message);
  }
  if (manifest.checkpoint !== opened.manifest.checkpoint)
    throw mismatch(`${where}.manifest.json is consistent with another checkpoint than the export's`);
  if (manifest.keyId !== keyId)
    throw unreadable(`${where} was written with archive key ${manifest.keyId}, not the given key ${keyId}`);
  const actual = await sha256OfFile(where);
  if (actual.sha256 !== manifest.sha256 || actual.bytes !== manifest.bytes) {
    const changed = await firstChangedFrame(where, manifest);
    if (changed) throw unreadable(changed);
    throw unreadable(
      `${where} is not the file its manifest describes (${actual.bytes} bytes, SHA-256 ${actual.sha256}; ` +
        `the manifest: ${manifest.bytes} bytes, ${manifest.sha256})`,
    );
  }
  return manifest;
}

/**
 * Lines of one file of the export, each checked against the file's manifest
 * (frame hashes, and each record's leaf index, source, key and leaf hash in
 * order) as its frames are decrypted.
 */
export async function* checkedLines(opened: OpenedExport, file: string, key: ArchiveKey): AsyncGenerator<ArchiveLine> {
  const manifest = await checkedFileManifest(opened, file, key.keyId);
  const where = path.join(opened.dir, file);
  let at = 0;
  for await (const frame of readArchiveFrames(where, key)) {
    const expected = manifest.frames[frame.number];
    if (!expected || expected.sha256 !== frame.sha256 || expected.offset !== frame.offset)
      throw mismatch(`${where} frame ${frame.number} is not the frame its manifest lists`);
    for (const line of frame.lines) {
      const record = manifest.records[at++];
      const hash = (line as Partial<LeafLine>).leafHash;
      if (
        !record ||
        record.leafIndex !== line.leafIndex ||
        record.source !== line.source ||
        record.key !== line.key ||
        (hash !== undefined && record.leafHash !== hash)
      )
        throw mismatch(`${where} record ${at - 1} (leaf #${line.leafIndex}) is not the record its manifest lists`);
      yield line;
    }
  }
  if (at !== manifest.records.length)
    throw mismatch(`${where} holds ${at} records, its manifest ${manifest.records.length}`);
}

/**
 * `auditgraph export verify DIR`: every file of an export read back whole —
 * its bytes against its manifest, every frame's tag, every record against
 * the manifest's list — with no database. Each file that fails is named
 * (one problem per file, the first found in it); none: the export is whole.
 */
export async function verifyExport(dir: string, key: ArchiveKey, trusted: readonly NoteVerifier[] | null) {
  const opened = await openExport(dir, trusted);
  const files = [...opened.manifest.records.map(({ file }) => file), ...opened.manifest.tables.map(({ file }) => file)];
  const problems: string[] = [];
  let records = 0;
  for (const file of files) {
    try {
      for await (const line of checkedLines(opened, file, key)) if (line) records++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      problems.push(error.message);
    }
  }
  return { files: files.length, records, problems, treeSize: opened.checkpoint.size, trustedBy: opened.trustedBy };
}
