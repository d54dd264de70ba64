import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../base/errors';
import { PACKAGE_MANIFEST } from '../verifier/package-manifest';
import type { PackageFile } from './compliance-package';

/** A package written whole beside its destination, not there yet: `install` puts it there, `discard` removes it. */
export type StagedPackage = { install(): Promise<void>; discard(): Promise<void> };

/** The entries of `dir`, or null when nothing is there. */
async function entriesOf(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') throw new OperatorError(`${dir} is a file, not a folder`);
    throw error;
  }
}

/** Refuses a destination that exists and holds anything, unless `force`: checked before any work, and again at staging. */
export async function checkDestination(dir: string, options: { force: boolean }): Promise<void> {
  const existing = await entriesOf(path.resolve(dir));
  if (existing !== null && existing.length > 0 && !options.force)
    throw new OperatorError(`${dir} is not empty: pass --force to replace it, or choose another folder`);
}

/**
 * Writes every file and the signed manifest into a fresh folder beside `dir`
 * (same parent, so the final rename is atomic on one file system): nothing is
 * ever half-written at `dir`. A `dir` that exists and holds anything is
 * refused unless `force` — a package an examiner already has is not silently
 * replaced; with `force` it is replaced whole at install.
 */
export async function stagePackage(
  dir: string,
  files: readonly PackageFile[],
  manifestNote: string,
  options: { force: boolean },
): Promise<StagedPackage> {
  const target = path.resolve(dir);
  await checkDestination(dir, options);
  const stage = `${target}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(path.dirname(target), { recursive: true });
  await mkdir(stage, { mode: 0o755 });
  try {
    for (const file of files) {
      const at = path.join(stage, ...file.path.split('/'));
      await mkdir(path.dirname(at), { recursive: true });
      await writeFile(at, file.content, { flag: 'wx' });
    }
    await writeFile(path.join(stage, PACKAGE_MANIFEST), manifestNote, { flag: 'wx' });
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    throw error;
  }
  return {
    async install() {
      const now = await entriesOf(target);
      if (now === null || now.length === 0) {
        // rename(2) replaces an empty folder.
        await rename(stage, target);
        return;
      }
      if (!options.force)
        throw new OperatorError(`${dir} was filled while the package was written: it is left as it is`);
      const old = `${target}.replaced-${randomBytes(4).toString('hex')}`;
      await rename(target, old);
      await rename(stage, target);
      await rm(old, { recursive: true, force: true });
    },
    discard: () => rm(stage, { recursive: true, force: true }),
  };
}
