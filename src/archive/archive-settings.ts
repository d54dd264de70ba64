import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../base/config';
import { BadInputError } from '../base/errors';
import { type ArchiveKey, readArchiveKey } from './archive-key';

/** Where the archive is and the key its files are encrypted with. */
export type ArchiveSettings = { dir: string; key: ArchiveKey };

/** Payload bodies by the UTC month of their creation: `bodies/YYYY-MM.agarch`. */
export const BODIES_FOLDER = 'bodies';

/** A full archive's records, every leaf with its rows, by consecutive leaf range: `records/leaves-<first>-<last>.agarch`. */
export const RECORDS_FOLDER = 'records';

/**
 * The archive folder (`--archive-dir`, else AUDITGRAPH_ARCHIVE_DIR) and key
 * (AUDITGRAPH_ARCHIVE_KEY_FILE): either missing is a BadInputError saying
 * which setting to give. The folder is not checked here: a reader reports a
 * missing one as its finding, a writer refuses it (see writableArchiveDir).
 */
export async function archiveSettingsOf(
  config: Pick<Config, 'archiveDir' | 'archiveKeyFile'>,
  dirOption?: string,
): Promise<ArchiveSettings> {
  const dir = dirOption ? path.resolve(dirOption) : config.archiveDir;
  if (!dir)
    throw new BadInputError('no archive folder: pass --archive-dir or set AUDITGRAPH_ARCHIVE_DIR', 'archive-dir');
  return { dir, key: await readArchiveKey(config.archiveKeyFile) };
}

/** `folder` of the archive (bodies or records), refused unless the archive folder exists and can be written. */
export async function writableArchiveFolder(settings: ArchiveSettings, folder: string): Promise<string> {
  const isFolder = await stat(settings.dir).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isFolder)
    throw new BadInputError(`the archive folder ${settings.dir} does not exist or is not a folder`, 'archive-dir');
  try {
    await access(settings.dir, constants.W_OK);
  } catch {
    throw new BadInputError(`the archive folder ${settings.dir} cannot be written`, 'archive-dir');
  }
  return path.join(settings.dir, folder);
}
