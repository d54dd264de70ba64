import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import { manifestPathOf } from './archive-manifest';
import { BODIES_FOLDER } from './archive-settings';

export const ARCHIVE_EXTENSION = '.agarch';

/** Whether anything is at `file` (a file, a folder, a manifest): a name it holds is taken. */
export const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * The first free name for a month's new file: `2024-05.agarch`, then
 * `2024-05.2.agarch`, … — free meaning no file, no manifest, and no index row
 * naming it (a file deleted from the folder keeps its name taken: WORM).
 * Relative to the archive folder, as archived_bodies keeps it.
 */
export async function nextBodiesFileName(knex: Knex, archiveDir: string, month: string): Promise<string> {
  const { rows } = (await knex.raw(`select distinct archive_file from archived_bodies where archive_file like ?`, [
    `${BODIES_FOLDER}/${month}.%`,
  ])) as { rows: { archive_file: string }[] };
  const indexed = new Set(rows.map((row) => row.archive_file));
  for (let number = 1; ; number++) {
    const name = `${BODIES_FOLDER}/${month}${number === 1 ? '' : `.${number}`}${ARCHIVE_EXTENSION}`;
    const file = path.join(archiveDir, name);
    if (!indexed.has(name) && !(await exists(file)) && !(await exists(manifestPathOf(file)))) return name;
  }
}
