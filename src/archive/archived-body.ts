import { parseExactJson } from '../json/exact-json';
import type { ArchiveLine } from './archive-file';
import { ArchivedBodyUnavailableError } from './archived-body-unavailable';
import { type ArchiveIndexRow, lineHoldsBody } from './archived-copies';

/** Loads a frame's lines by its index row (the request's frame loader), or the error that frame failed with. */
type FrameLoader = { load(row: ArchiveIndexRow): Promise<Map<string, ArchiveLine>> };

/**
 * A purged payload's body read back from its archived copy, parsed with every
 * number exact; null when nothing was archived. A copy that does not hold the
 * body the index hashed (the file changed) is refused, never served.
 */
export async function archivedBodyOf(
  payloadId: string,
  storage: { archived: ArchiveIndexRow | null },
  frames: FrameLoader,
): Promise<unknown> {
  if (!storage.archived) return null;
  const line = (await frames.load(storage.archived)).get(payloadId);
  if (!lineHoldsBody(line, storage.archived.body_sha256))
    throw new ArchivedBodyUnavailableError(
      `the archived copy of payload ${payloadId} in ${storage.archived.archive_file} frame ${storage.archived.frame_number} does not match its hash`,
    );
  return parseExactJson(line!.body as string);
}
