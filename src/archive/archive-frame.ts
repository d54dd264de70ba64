import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ArchiveKey } from './archive-key';

/** The 8 bytes every archive file starts with ("auditgraph-archive/1"). */
export const ARCHIVE_MAGIC = Buffer.from('AGARCH1\n', 'latin1');
export const LENGTH_BYTES = 4;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes of a frame around its ciphertext: length, nonce, tag. */
export const FRAME_OVERHEAD = LENGTH_BYTES + NONCE_BYTES + TAG_BYTES;
/**
 * The most ciphertext one frame may claim: above any frame the writer makes
 * (1 MiB of lines, or one line alone, gzipped), so a garbage length is named
 * as such rather than allocated.
 */
export const MAX_CIPHERTEXT_BYTES = 512 * 1024 * 1024;

/**
 * The AAD binds a frame to its file name and its place in it: a frame copied
 * into another file, or swapped with its neighbour, fails its tag.
 */
const aadOf = (fileName: string, frameNumber: number) => Buffer.from(`${fileName}\n${frameNumber}`, 'utf8');

/** One frame's bytes: length of the ciphertext (big-endian), random nonce, ciphertext, tag. */
export function sealFrame(plaintext: Buffer, key: ArchiveKey, fileName: string, frameNumber: number): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, nonce);
  cipher.setAAD(aadOf(fileName, frameNumber));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(ciphertext.length);
  return Buffer.concat([length, nonce, ciphertext, cipher.getAuthTag()]);
}

/** The ciphertext length a frame's first 4 bytes claim. */
export const claimedCiphertextLength = (frame: Buffer): number => frame.readUInt32BE(0);

/**
 * The plaintext of one whole frame (its length prefix included), or null when
 * its tag does not match: bytes changed, the frame moved, or another key.
 */
export function openFrame(frame: Buffer, key: ArchiveKey, fileName: string, frameNumber: number): Buffer | null {
  const nonce = frame.subarray(LENGTH_BYTES, LENGTH_BYTES + NONCE_BYTES);
  const ciphertext = frame.subarray(LENGTH_BYTES + NONCE_BYTES, frame.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, nonce);
  decipher.setAAD(aadOf(fileName, frameNumber));
  decipher.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}
