import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Queryable } from '../integrator/pg-hash-store';
import { checkpointsAfter, type StoredCheckpoint, checkpointsOfSizes, verifierKeys } from './checkpoint-reads';

/** One checkpoint per file, named by its tree size; never rewritten. */
const CHECKPOINT_FILE = /^(\d{1,16})\.checkpoint$/;
export const WITNESS_KEYS_FILE = 'keys.txt';
const PAGE = 1000;

/** A file of the witness folder that says something else than the database: a fork, or a rewritten history. */
export class WitnessConflictError extends Error {
  override name = 'WitnessConflictError';
}

export type Publication = { written: number[]; alreadyThere: number; keysAdded: number; newest: number | null };

/** The tree sizes of the checkpoints a witness folder holds, smallest first (none when it does not exist). */
export async function publishedSizes(folder: string): Promise<number[]> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names
    .map((name) => CHECKPOINT_FILE.exec(name)?.[1])
    .filter((size): size is string => size !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Appends to a witness folder (a WORM disk, a repository, an examiner's
 * copy) every checkpoint newer than its newest — the newest of all
 * included — as `<size>.checkpoint` holding the signed note, created
 * exclusively (an existing file is never overwritten), and adds to
 * `keys.txt` every verifier key not yet listed. A file the folder already
 * holds must equal the database's checkpoint of its size byte for byte:
 * one that differs is a WitnessConflictError (the history shown to this
 * witness was another). Publishing again adds nothing.
 */
export async function publishCheckpoints(connection: Queryable, folder: string): Promise<Publication> {
  await mkdir(folder, { recursive: true });
  const sizes = await publishedSizes(folder);
  const stored = await checkpointsOfSizes(connection, sizes);
  for (const size of sizes) {
    const checkpoint = stored.get(size);
    const text = await readFile(join(folder, `${size}.checkpoint`), 'utf8');
    if (!checkpoint || checkpoint.note !== text) {
      throw new WitnessConflictError(
        `${join(folder, `${size}.checkpoint`)} ${checkpoint ? 'differs from' : 'is missing from'} ` +
          `the database's checkpoints (tree size ${size})`,
      );
    }
  }
  const written: number[] = [];
  let after = sizes.at(-1) ?? 0;
  for (let page: StoredCheckpoint[]; (page = await checkpointsAfter(connection, after, PAGE)).length > 0;) {
    for (const checkpoint of page) {
      await writeExclusive(join(folder, `${checkpoint.treeSize}.checkpoint`), checkpoint.note);
      written.push(checkpoint.treeSize);
    }
    after = page.at(-1)!.treeSize;
  }
  const keysAdded = await appendKeys(folder, await verifierKeys(connection));
  return { written, alreadyThere: sizes.length, keysAdded, newest: written.at(-1) ?? sizes.at(-1) ?? null };
}

async function writeExclusive(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another publisher wrote it meanwhile: it must be the same note.
    if ((await readFile(path, 'utf8')) !== text) throw new WitnessConflictError(`${path} differs from the database's`);
  }
}

/** Adds the keys `keys.txt` lacks, one per line, keeping every key already listed (rotation keeps old ones). */
async function appendKeys(folder: string, keys: string[]): Promise<number> {
  const path = join(folder, WITNESS_KEYS_FILE);
  const listed = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const known = new Set(listed.split('\n').filter((line) => line.trim() !== ''));
  const missing = keys.filter((key) => !known.has(key));
  if (missing.length > 0) {
    const separator = listed === '' || listed.endsWith('\n') ? '' : '\n';
    await writeFile(path, `${separator}${missing.join('\n')}\n`, { flag: 'a' });
  }
  return missing.length;
}
