import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { BadInputError } from '../base/errors';

/** AES-256-GCM: 32 key bytes. */
export const ARCHIVE_KEY_BYTES = 32;

/** The key archives are encrypted with, and the id every manifest names it by. */
export type ArchiveKey = { bytes: Buffer; keyId: string };

/** The first 16 hex digits of SHA-256 of the key: a wrong key is named, never guessed at. */
export const archiveKeyId = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** One line of base64 holding exactly 32 bytes; anything else is refused naming the file, never showing its text. */
export function parseArchiveKey(text: string, file: string): ArchiveKey {
  const line = text.trim();
  const bytes = Buffer.from(line, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line) || bytes.length !== ARCHIVE_KEY_BYTES || bytes.toString('base64') !== line)
    throw new BadInputError(
      `the archive key file ${file} must hold one line: base64 of ${ARCHIVE_KEY_BYTES} random bytes (auditgraph archive key-generate --out FILE writes one)`,
    );
  return { bytes, keyId: archiveKeyId(bytes) };
}

/**
 * The archive key from AUDITGRAPH_ARCHIVE_KEY_FILE (or --key-file): unset is
 * an error, since an archive is never written unencrypted.
 */
export async function readArchiveKey(file: string | undefined): Promise<ArchiveKey> {
  if (!file)
    throw new BadInputError(
      'no archive key: set AUDITGRAPH_ARCHIVE_KEY_FILE (auditgraph archive key-generate --out FILE writes one); archives are never written unencrypted',
    );
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`cannot read the archive key file ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  return parseArchiveKey(text, file);
}

/**
 * A new random key in `file`, mode 0600; an existing file is refused (EEXIST):
 * a key that encrypted archives must never be replaced.
 */
export async function writeNewArchiveKey(file: string): Promise<ArchiveKey> {
  const bytes = randomBytes(ARCHIVE_KEY_BYTES);
  await writeFile(file, `${bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { bytes, keyId: archiveKeyId(bytes) };
}
