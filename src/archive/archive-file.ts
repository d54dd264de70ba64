import { createHash } from 'node:crypto';
import { type FileHandle, open, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { BadInputError } from '../base/errors';
import { canonicalJson } from '../integrator/canonical-json';
import { ArchiveUnreadableError } from './archive-error';
import {
  ARCHIVE_MAGIC,
  claimedCiphertextLength,
  FRAME_OVERHEAD,
  LENGTH_BYTES,
  MAX_CIPHERTEXT_BYTES,
  openFrame,
  sealFrame,
} from './archive-frame';
import type { ArchiveKey } from './archive-key';
import { ARCHIVE_FORMAT, type ArchiveManifest, type ManifestFrame, manifestPathOf } from './archive-manifest';

export { readManifest, manifestPathOf, type ArchiveManifest, ARCHIVE_FORMAT } from './archive-manifest';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A frame holds at most this many lines… */
export const FRAME_MAX_LINES = 512;
/** …and at most this much plaintext, unless one line alone is larger (then it is a frame by itself). */
export const FRAME_MAX_PLAINTEXT_BYTES = 1024 * 1024;

/**
 * One line of an archive: a merkle leaf's source, key and index as
 * merkle_leaves has them, and whatever the archive keeps of the record. Text
 * that must stay byte-exact (a body, a numeric) is a JSON string.
 */
export type ArchiveLine = { leafIndex: number; source: string; key: string } & Record<string, unknown>;

/** Where a frame is: what the read-back index keeps for each record. */
export type FrameLocation = { number: number; offset: number; length: number };

export type WriteArchiveOptions = {
  /** The signed checkpoint note whose tree covers every leaf of the file. */
  checkpoint: string;
  /** merkle_leaves.leaf_hash (hex) of a line's leaf, for the manifest. */
  leafHashOf: (line: ArchiveLine) => string;
};

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Frames of lines, each within the line and byte bounds, in order. */
async function* framesOf(lines: Iterable<ArchiveLine> | AsyncIterable<ArchiveLine>) {
  let pending: { line: ArchiveLine; text: Buffer }[] = [];
  let pendingBytes = 0;
  for await (const line of lines) {
    const text = Buffer.from(`${canonicalJson(line)}\n`, 'utf8');
    if (
      pending.length > 0 &&
      (pending.length === FRAME_MAX_LINES || pendingBytes + text.length > FRAME_MAX_PLAINTEXT_BYTES)
    ) {
      yield pending;
      pending = [];
      pendingBytes = 0;
    }
    pending.push({ line, text });
    pendingBytes += text.length;
  }
  if (pending.length > 0) yield pending;
}

/** Flushes a new file (or the folder entry naming it) to the disk before it is relied on. */
async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a new archive file at `file` and its manifest beside it, both
 * fsynced (and their folder), and returns the manifest. Never overwrites
 * (WORM): an existing file is refused with EEXIST. On any failure what was
 * begun is removed, so no half-written file is left for a reader.
 */
export async function writeArchiveFile(
  file: string,
  lines: Iterable<ArchiveLine> | AsyncIterable<ArchiveLine>,
  key: ArchiveKey,
  options: WriteArchiveOptions,
): Promise<ArchiveManifest> {
  const fileName = path.basename(file);
  const handle = await open(file, 'wx', 0o644);
  const manifestFile = manifestPathOf(file);
  let manifestBegun = false;
  try {
    const whole = createHash('sha256');
    const append = async (bytes: Buffer) => {
      await handle.write(bytes);
      whole.update(bytes);
    };
    await append(ARCHIVE_MAGIC);
    let offset = ARCHIVE_MAGIC.length;
    const frames: ManifestFrame[] = [];
    const records: ArchiveManifest['records'] = [];
    for await (const frameLines of framesOf(lines)) {
      const plaintext = await gzipAsync(Buffer.concat(frameLines.map(({ text }) => text)));
      const frame = sealFrame(plaintext, key, fileName, frames.length);
      await append(frame);
      frames.push({
        offset,
        length: frame.length,
        sha256: sha256Hex(frame),
        firstLeaf: frameLines[0]!.line.leafIndex,
        lastLeaf: frameLines[frameLines.length - 1]!.line.leafIndex,
        records: frameLines.length,
      });
      for (const { line } of frameLines)
        records.push({
          leafIndex: line.leafIndex,
          source: line.source,
          key: line.key,
          leafHash: options.leafHashOf(line),
        });
      offset += frame.length;
    }
    if (records.length === 0) throw new BadInputError(`an archive file holds at least one line; none for ${file}`);
    await handle.sync();
    await handle.close();
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      file: fileName,
      keyId: key.keyId,
      bytes: offset,
      sha256: whole.digest('hex'),
      frames,
      records,
      checkpoint: options.checkpoint,
    };
    manifestBegun = true;
    await writeFile(manifestFile, canonicalJson(manifest), { flag: 'wx', mode: 0o644 });
    await fsyncPath(manifestFile);
    await fsyncPath(path.dirname(file));
    return manifest;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    if (manifestBegun) await unlink(manifestFile).catch(() => undefined);
    throw error;
  }
}

const rangeOf = (file: string, frame: FrameLocation) =>
  `${file} frame ${frame.number} (bytes ${frame.offset}–${frame.offset + frame.length - 1})`;

/** The lines of a frame's plaintext: gunzipped, one JSON object per "\n"-ended line. */
async function linesOf(plaintext: Buffer, where: string): Promise<ArchiveLine[]> {
  let text: string;
  try {
    text = (await gunzipAsync(plaintext)).toString('utf8');
  } catch {
    throw new ArchiveUnreadableError(`${where} does not hold gzip data`);
  }
  if (!text.endsWith('\n')) throw new ArchiveUnreadableError(`${where} does not end with a whole line`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((lineText, index) => {
      let line: unknown;
      try {
        line = JSON.parse(lineText);
      } catch {
        throw new ArchiveUnreadableError(`${where} line ${index + 1} is not JSON`);
      }
      const candidate = line as Partial<ArchiveLine> | null;
      if (
        typeof candidate !== 'object' ||
        candidate === null ||
        !Number.isSafeInteger(candidate.leafIndex) ||
        typeof candidate.source !== 'string' ||
        typeof candidate.key !== 'string'
      )
        throw new ArchiveUnreadableError(`${where} line ${index + 1} is not an archive line`);
      return candidate as ArchiveLine;
    });
}

/** Decrypts and reads one whole frame's bytes found at `frame`. */
async function decodeFrame(file: string, bytes: Buffer, frame: FrameLocation, key: ArchiveKey) {
  const where = rangeOf(file, frame);
  if (bytes.length < FRAME_OVERHEAD || claimedCiphertextLength(bytes) + FRAME_OVERHEAD !== bytes.length)
    throw new ArchiveUnreadableError(`${where} does not hold a frame of that length`);
  const plaintext = openFrame(bytes, key, path.basename(file), frame.number);
  if (plaintext === null)
    throw new ArchiveUnreadableError(
      `${where} fails its authentication tag: its bytes changed, it was moved, or it was not written with key ${key.keyId}`,
    );
  return linesOf(plaintext, where);
}

/** Opens an archive file for reading, a missing one named as such. */
async function openArchive(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new ArchiveUnreadableError(
      `cannot read the archive file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * The lines of ONE frame: read its bytes, check its tag, gunzip — never more
 * of the file. What a purged body's read-back costs.
 */
export async function readFrame(file: string, frame: FrameLocation, key: ArchiveKey): Promise<ArchiveLine[]> {
  const handle = await openArchive(file);
  try {
    const bytes = await readAt(handle, frame.offset, frame.length);
    if (bytes.length < frame.length)
      throw new ArchiveUnreadableError(
        `${rangeOf(file, frame)} is cut short: the file ends at byte ${frame.offset + bytes.length}`,
      );
    return await decodeFrame(file, bytes, frame, key);
  } finally {
    await handle.close();
  }
}

/** A frame as the streaming reader finds it: where it is, its bytes' hash, its lines. */
export type ReadFrame = FrameLocation & { sha256: string; lines: ArchiveLine[] };

/**
 * Every frame of an archive file in order, each checked as it is read: the
 * file's first bytes, each frame's length, tag and lines. A file cut short is
 * named at the frame it ends in. Holds one frame in memory at a time.
 */
export async function* readArchiveFrames(file: string, key: ArchiveKey): AsyncGenerator<ReadFrame> {
  const handle = await openArchive(file);
  try {
    const magic = await readAt(handle, 0, ARCHIVE_MAGIC.length);
    if (!magic.equals(ARCHIVE_MAGIC))
      throw new ArchiveUnreadableError(`${file} is not an ${ARCHIVE_FORMAT} file (its first bytes differ)`);
    let offset = ARCHIVE_MAGIC.length;
    for (let number = 0; ; number++) {
      const lengthBytes = await readAt(handle, offset, LENGTH_BYTES);
      if (lengthBytes.length === 0) return;
      const ciphertextLength = lengthBytes.length === LENGTH_BYTES ? claimedCiphertextLength(lengthBytes) : 0;
      if (lengthBytes.length < LENGTH_BYTES || ciphertextLength > MAX_CIPHERTEXT_BYTES)
        throw new ArchiveUnreadableError(`${file} frame ${number} (from byte ${offset}) has no valid length`);
      const location = { number, offset, length: ciphertextLength + FRAME_OVERHEAD };
      const bytes = await readAt(handle, offset, location.length);
      if (bytes.length < location.length)
        throw new ArchiveUnreadableError(
          `${rangeOf(file, location)} is cut short: the file ends at byte ${offset + bytes.length}`,
        );
      yield { ...location, sha256: sha256Hex(bytes), lines: await decodeFrame(file, bytes, location, key) };
      offset += location.length;
    }
  } finally {
    await handle.close();
  }
}
