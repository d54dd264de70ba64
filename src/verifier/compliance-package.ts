import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readCheckpoint, type VerifiedCheckpoint } from './checkpoint';
import { canonicalBase64 } from './encoding';
import { verifyConsistency } from './merkle-proofs';
import { readVerifierKey, verifyNote, type VerifierKey } from './note';
import { type Manifest, PACKAGE_MANIFEST, parseManifest } from './package-manifest';

/** The files of the package that carry its checkpoints and their consistency proof. */
export const FIRST_CHECKPOINT = 'checkpoints/first.checkpoint';
export const LAST_CHECKPOINT = 'checkpoints/last.checkpoint';
export const CONSISTENCY_PROOF = 'checkpoints/consistency.json';
export const CONSISTENCY_FORMAT = 'auditgraph-consistency/1';

/** A folder that is not there at all (`verify-bundle --package` exits 2); anything else failing is a result. */
export class UnreadablePackageError extends Error {
  override readonly name = 'UnreadablePackageError';
}

export interface PackageResult {
  ok: boolean;
  /** Every failure, each naming the file (or the manifest) it is about. */
  problems: string[];
  period: { from: string; until: string } | null;
  files: number;
  signedBy: string[];
  first: VerifiedCheckpoint | null;
  last: VerifiedCheckpoint | null;
}

/** Every regular file under `dir`, as '/'-separated paths; anything else (a link, a socket) is a problem. */
async function filesUnder(dir: string, problems: string[], prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, problems, relative)));
    else if (entry.isFile()) found.push(relative);
    else problems.push(`${relative} is not a regular file (a link or a device), which no package holds`);
  }
  return found;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The checkpoint note of `file`, verified with the keys; a problem naming the file when it does not verify. */
function checkpointOf(
  file: string,
  note: string,
  keys: VerifierKey[],
  problems: string[],
): (VerifiedCheckpoint & { rootHash: Buffer }) | null {
  try {
    return readCheckpoint(verifyNote(note, keys).text);
  } catch (error) {
    problems.push(`${file}: the checkpoint does not verify: ${(error as Error).message}`);
    return null;
  }
}

function checkConsistency(
  text: string,
  first: VerifiedCheckpoint & { rootHash: Buffer },
  last: VerifiedCheckpoint & { rootHash: Buffer },
): string | undefined {
  let proof: unknown;
  try {
    proof = JSON.parse(text);
  } catch (error) {
    return `it is not JSON: ${(error as Error).message}`;
  }
  const { format, from, to, proof: hashes } = (proof ?? {}) as Record<string, unknown>;
  if (format !== CONSISTENCY_FORMAT) return `it is not an ${CONSISTENCY_FORMAT} proof`;
  if (from !== first.size || to !== last.size)
    return `it proves ${String(from)} → ${String(to)}, not the checkpoints' ${first.size} → ${last.size}`;
  if (first.origin !== last.origin) return `the checkpoints are of two logs, ${first.origin} and ${last.origin}`;
  if (!Array.isArray(hashes) || hashes.length > 128) return 'its proof is not an array of hashes';
  const path: Buffer[] = [];
  for (const [at, hash] of hashes.entries()) {
    const bytes = typeof hash === 'string' ? canonicalBase64(hash) : null;
    if (bytes === null || bytes.length !== 32) return `its proof[${at}] is not the canonical base64 of 32 bytes`;
    path.push(bytes);
  }
  try {
    verifyConsistency(BigInt(first.size), BigInt(last.size), first.rootHash, last.rootHash, path);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/**
 * Verifies a compliance package folder with the log's verifier key texts,
 * reading nothing but the folder: the manifest's signature; every file's
 * SHA-256 and size; no file missing, none added; both checkpoints' signatures;
 * the consistency proof between them. Every failure is named, not only the first.
 */
export async function verifyPackage(dir: string, verifierKeys: readonly string[]): Promise<PackageResult> {
  const keys = verifierKeys.map((text) => readVerifierKey(text));
  const stat = await lstat(dir).catch(() => null);
  if (stat === null || !stat.isDirectory()) throw new UnreadablePackageError(`${dir} is not a folder`);
  const problems: string[] = [];
  const result = (manifest: Manifest | null, signedBy: string[]): PackageResult => ({
    ok: problems.length === 0,
    problems,
    period: manifest && { from: manifest.from, until: manifest.until },
    files: manifest?.files.length ?? 0,
    signedBy,
    first: null,
    last: null,
  });
  const present = await filesUnder(dir, problems);
  if (!present.includes(PACKAGE_MANIFEST)) {
    problems.push(`${PACKAGE_MANIFEST} is missing: nothing says what the package holds`);
    return result(null, []);
  }
  let manifest: Manifest;
  let signedBy: string[];
  try {
    const note = verifyNote(await readFile(path.join(dir, PACKAGE_MANIFEST), 'utf8'), keys);
    signedBy = note.signedBy;
    manifest = parseManifest(note.text);
  } catch (error) {
    problems.push(`${PACKAGE_MANIFEST}: the manifest does not verify: ${(error as Error).message}`);
    return result(null, []);
  }
  const listed = new Map(manifest.files.map((file) => [file.path, file]));
  for (const file of present) {
    if (file !== PACKAGE_MANIFEST && !listed.has(file)) problems.push(`${file} is not in the manifest (an added file)`);
  }
  const contents = new Map<string, Buffer>();
  for (const entry of manifest.files) {
    if (!present.includes(entry.path)) {
      problems.push(`${entry.path} is missing`);
      continue;
    }
    const bytes = await readFile(path.join(dir, ...entry.path.split('/')));
    const hash = sha256(bytes);
    if (bytes.length !== entry.bytes || hash !== entry.sha256)
      problems.push(
        `${entry.path}: ${bytes.length} bytes with SHA-256 ${hash}, the manifest says ${entry.bytes} bytes with ${entry.sha256}`,
      );
    else contents.set(entry.path, bytes);
  }
  const [firstNote, lastNote, proof] = [FIRST_CHECKPOINT, LAST_CHECKPOINT, CONSISTENCY_PROOF].map((file) => {
    if (!listed.has(file)) problems.push(`${file} is not in the manifest: the package has no checkpoints`);
    return contents.get(file)?.toString('utf8');
  });
  const first = firstNote === undefined ? null : checkpointOf(FIRST_CHECKPOINT, firstNote, keys, problems);
  const last = lastNote === undefined ? null : checkpointOf(LAST_CHECKPOINT, lastNote, keys, problems);
  if (first && last && proof !== undefined) {
    const problem = checkConsistency(proof, first, last);
    if (problem !== undefined) problems.push(`${CONSISTENCY_PROOF}: the consistency proof does not hold: ${problem}`);
  }
  const shown = (checkpoint: (VerifiedCheckpoint & { rootHash: Buffer }) | null): VerifiedCheckpoint | null =>
    checkpoint && { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, time: checkpoint.time };
  return { ...result(manifest, signedBy), first: shown(first), last: shown(last) };
}
