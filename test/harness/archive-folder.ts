import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNewArchiveKey } from '../../src/archive/archive-key';

/**
 * A fresh archive folder with its key, and the environment of a CLI run that
 * archives there: the purge takes only bodies archived and read back, so
 * every test that purges needs one.
 */
export async function archiveFolder(prefix: string): Promise<{ folder: string; env: NodeJS.ProcessEnv }> {
  const folder = await mkdtemp(path.join(tmpdir(), `auditgraph-${prefix}-`));
  const keyFile = path.join(folder, 'archive.key');
  await writeNewArchiveKey(keyFile);
  return { folder, env: { AUDITGRAPH_ARCHIVE_DIR: folder, AUDITGRAPH_ARCHIVE_KEY_FILE: keyFile } };
}
