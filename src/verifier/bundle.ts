import { isLosslessNumber } from 'lossless-json';
import { leafHash } from '../merkle/tree-hash';
import { canonicalJson, parseExactJson } from './canonical-json';
import { readCheckpoint, type VerifiedCheckpoint } from './checkpoint';
import { canonicalBase64 } from './encoding';
import { verifyInclusion } from './merkle-proofs';
import { readVerifierKey, verifyNote, type VerifierKey } from './note';

/**
 * `auditgraph-proof-bundle/v1`: a signed checkpoint and entries, each a record
 * (the canonical object the API answers), its leaf index and its inclusion
 * proof in the checkpoint's tree. Verified with nothing but the bundle and
 * the log's verifier keys: no database, no network.
 */
export const BUNDLE_FORMAT = 'auditgraph-proof-bundle/v1';

/** A file that is not a v1 bundle at all (`verify-bundle` exits 2); a bundle that does not verify is a result instead. */
export class UnreadableBundleError extends Error {
  override readonly name = 'UnreadableBundleError';
}

export interface EntryResult {
  ok: boolean;
  /** What the entry is: its record's type and id when it has them, else its position. */
  name: string;
  problem?: string;
}

export interface BundleResult {
  /** The checkpoint verified and every entry proves against it. */
  ok: boolean;
  /** Why the checkpoint itself does not hold, when it does not. */
  problem?: string;
  /** The checkpoint, once its signature by one of the keys verified. */
  checkpoint: VerifiedCheckpoint | null;
  /** The keys (their texts) whose signatures on the checkpoint verified. */
  signedBy: string[];
  entries: EntryResult[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);

function entryName(entry: unknown, position: number): string {
  const record = isObject(entry) ? entry.record : undefined;
  if (
    isObject(record) &&
    typeof record.type === 'string' &&
    (typeof record.id === 'string' || typeof record.seq === 'string')
  ) {
    return `entry ${position} (${record.type} ${String(record.id ?? record.seq).slice(0, 80)})`;
  }
  return `entry ${position}`;
}

/** A leaf index as the bundle writes it: a non-negative integer, kept exact (beyond 2^53 it is refused, not rounded). */
function leafIndexOf(value: unknown): bigint | string {
  const digits = typeof value === 'number' ? String(value) : isLosslessNumber(value) ? value.value : null;
  if (digits === null || !/^(0|[1-9][0-9]*)$/.test(digits)) return 'its leafIndex is not a non-negative integer';
  if (!Number.isSafeInteger(Number(digits))) return `its leafIndex ${digits.slice(0, 40)} is beyond 2^53 - 1`;
  return BigInt(digits);
}

function verifyEntry(entry: unknown, checkpoint: VerifiedCheckpoint & { rootHash: Buffer }): string | undefined {
  if (!isObject(entry)) return 'it is not an object';
  if (!isObject(entry.record)) return 'its record is not an object';
  const index = leafIndexOf(entry.leafIndex);
  if (typeof index === 'string') return index;
  if (index >= BigInt(checkpoint.size))
    return `its leafIndex ${index} is not below the checkpoint's size ${checkpoint.size}`;
  if (!Array.isArray(entry.inclusionProof)) return 'its inclusionProof is not an array';
  if (entry.inclusionProof.length > 64) return 'its inclusionProof is longer than any tree needs';
  const proof: Buffer[] = [];
  for (const [position, element] of entry.inclusionProof.entries()) {
    const hash = typeof element === 'string' ? canonicalBase64(element) : null;
    if (hash === null || hash.length !== 32)
      return `its inclusionProof[${position}] is not the canonical base64 of 32 bytes`;
    proof.push(hash);
  }
  let leaf: Buffer;
  try {
    leaf = leafHash(Buffer.from(canonicalJson(entry.record), 'utf8'));
  } catch (error) {
    return `its record has no canonical JSON: ${(error as Error).message}`;
  }
  try {
    verifyInclusion(index, BigInt(checkpoint.size), leaf, proof, checkpoint.rootHash);
  } catch (error) {
    return `its record is not leaf ${index} of the checkpoint's tree: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * Verifies a bundle's text with the log's verifier key texts (several: a
 * rotated log's old and new keys). Throws UnreadableBundleError for a file
 * that is not a bundle, NoteVerificationError for a key text that is not a
 * verifier key; anything else that fails is a result naming what failed.
 */
export function verifyBundle(bundleText: string, verifierKeys: readonly string[]): BundleResult {
  let bundle: unknown;
  try {
    bundle = parseExactJson(bundleText);
  } catch (error) {
    throw new UnreadableBundleError(`the bundle is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(bundle) || bundle.format !== BUNDLE_FORMAT)
    throw new UnreadableBundleError(`the file is not an ${BUNDLE_FORMAT} bundle`);
  if (typeof bundle.checkpoint !== 'string') throw new UnreadableBundleError('the bundle has no checkpoint note text');
  if (!Array.isArray(bundle.entries)) throw new UnreadableBundleError('the bundle has no entries array');
  const entries = bundle.entries as unknown[];

  const keys: VerifierKey[] = verifierKeys.map((text) => readVerifierKey(text));
  let checkpoint: VerifiedCheckpoint & { rootHash: Buffer };
  let signedBy: string[];
  try {
    const note = verifyNote(bundle.checkpoint, keys);
    checkpoint = readCheckpoint(note.text);
    signedBy = note.signedBy;
  } catch (error) {
    const problem = `the checkpoint does not verify: ${(error as Error).message}`;
    const unverified = entries.map((entry, position) => ({ ok: false, name: entryName(entry, position), problem }));
    return { ok: false, problem, checkpoint: null, signedBy: [], entries: unverified };
  }
  if (entries.length === 0) {
    return {
      ok: false,
      problem: 'the bundle proves no record: its entries are empty',
      checkpoint: shownOf(checkpoint),
      signedBy,
      entries: [],
    };
  }
  const results = entries.map((entry, position): EntryResult => {
    const problem = verifyEntry(entry, checkpoint);
    return problem === undefined
      ? { ok: true, name: entryName(entry, position) }
      : { ok: false, name: entryName(entry, position), problem };
  });
  return { ok: results.every((result) => result.ok), checkpoint: shownOf(checkpoint), signedBy, entries: results };
}

const shownOf = ({ rootHash: _rootHash, ...shown }: VerifiedCheckpoint & { rootHash: Buffer }): VerifiedCheckpoint =>
  shown;
