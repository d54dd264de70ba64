import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A file's size and SHA-256 (hex), streamed: an archive file is never read into memory whole. */
export async function fileSizeAndSha256(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
