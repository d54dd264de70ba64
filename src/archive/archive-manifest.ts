import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ArchiveUnreadableError } from './archive-error';

export const ARCHIVE_FORMAT = 'auditgraph-archive/1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const leafIndex = z.number().int().min(0);

const frameSchema = z.object({
  offset: z.number().int().min(0),
  length: z.number().int().min(1),
  sha256: hex64,
  firstLeaf: leafIndex,
  lastLeaf: leafIndex,
  records: z.number().int().min(1),
});

const recordSchema = z.object({ leafIndex, source: z.string().min(1), key: z.string().min(1), leafHash: hex64 });

const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  file: z.string().min(1),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  bytes: z.number().int().min(0),
  sha256: hex64,
  frames: z.array(frameSchema),
  records: z.array(recordSchema),
  checkpoint: z.string(),
});

/** What sits beside an archive file in plaintext: hashes and leaves, never a body. */
export type ArchiveManifest = z.infer<typeof manifestSchema>;
export type ManifestFrame = z.infer<typeof frameSchema>;
export type ManifestRecord = z.infer<typeof recordSchema>;

export const MANIFEST_SUFFIX = '.manifest.json';
export const manifestPathOf = (archiveFile: string): string => `${archiveFile}${MANIFEST_SUFFIX}`;

/**
 * The manifest of `archiveFile` (read from `<file>.manifest.json`), checked
 * for shape and for naming this very file: a missing, garbled or foreign
 * manifest is an ArchiveUnreadableError naming it.
 */
export async function readManifest(archiveFile: string): Promise<ArchiveManifest> {
  const manifestFile = manifestPathOf(archiveFile);
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    throw new ArchiveUnreadableError(
      `cannot read the manifest ${manifestFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ArchiveUnreadableError(`the manifest ${manifestFile} is not JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'its top level';
    throw new ArchiveUnreadableError(`the manifest ${manifestFile} is not an ${ARCHIVE_FORMAT} manifest (at ${where})`);
  }
  if (parsed.data.file !== path.basename(archiveFile))
    throw new ArchiveUnreadableError(
      `the manifest ${manifestFile} describes ${JSON.stringify(parsed.data.file)}, not ${path.basename(archiveFile)}`,
    );
  return parsed.data;
}
