import { canonicalJson } from '../integrator/canonical-json';
import { pgHashStore, type Queryable } from '../integrator/pg-hash-store';
import { inclusionProofRanges } from '../merkle/proofs';
import { hashRange, rangeSubtrees, type Subtree, subtreeKey } from '../merkle/subtrees';
import { leafHash } from '../merkle/tree-hash';
import { integratedSize, newestCheckpoint, type StoredCheckpoint, checkpointsOfSizes } from './checkpoint-reads';
import { type Leaf, leavesOf, recordsOf, refKey } from './leaf-reads';
import { NoCheckpointError, NotInTreeError, NotIntegratedError, TreeSizeBeyondTreeError } from './proof-errors';
import { RecordNotFoundError } from '../base/errors';
import { describeRef, type RecordRef } from './record-ref';
import { BadInputError } from '../base/errors';

/** One record's inclusion in the tree of `treeSize` leaves (RFC 9162 §2.1.3.1). */
export type RecordProof = Leaf & {
  ref: RecordRef;
  /** The canonical record object, as its row reads now (README "Proofs"). */
  record: Record<string, unknown>;
  /** Its canonical JSON: the leaf's bytes, when the row is as it was integrated. */
  canonical: string;
  /** Whether the record as it reads now hashes to its leaf: false is a record changed after integration. */
  matchesLeaf: boolean;
  proof: Buffer[];
};

/**
 * The tree size a proof is asked against: `treeSize` when given (1 up to the
 * integrated tree), else the newest checkpoint's, and that checkpoint if signed.
 */
export async function proofTarget(
  connection: Queryable,
  treeSize: number | null,
): Promise<{ treeSize: number; checkpoint: StoredCheckpoint | null }> {
  if (treeSize === null) {
    const newest = await newestCheckpoint(connection);
    if (!newest)
      throw new NoCheckpointError('no checkpoint has been signed yet: there is no tree size to prove against');
    return { treeSize: newest.treeSize, checkpoint: newest };
  }
  checkTreeSize(treeSize, 'treeSize');
  const built = await integratedSize(connection);
  if (treeSize > built) {
    throw new TreeSizeBeyondTreeError(`tree size ${treeSize} is beyond the tree, which has ${built} leaves`);
  }
  return { treeSize, checkpoint: (await checkpointsOfSizes(connection, [treeSize])).get(treeSize) ?? null };
}

/** A tree size argument: a whole number from 1 (sizes past 2^53 never reach here: the scalar refuses them). */
function checkTreeSize(size: number, argument: string): void {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new BadInputError(`\`${argument}\` must be a tree size from 1; got ${size}`, argument);
  }
}

/**
 * The inclusion proofs of `refs` in the tree of `treeSize` leaves: their
 * leaves in one statement, their records in one per source, and every proof
 * from ONE read of the stored subtrees they need together. Refuses a record
 * that does not exist, one not integrated yet, and one integrated after `treeSize`.
 */
export async function proveRecords(
  connection: Queryable,
  refs: readonly RecordRef[],
  treeSize: number,
): Promise<RecordProof[]> {
  const [leaves, records] = [await leavesOf(connection, refs), await recordsOf(connection, refs)];
  const found = refs.map((ref) => {
    const leaf = leaves.get(refKey(ref));
    const record = records.get(refKey(ref));
    if (!leaf && !record) throw new RecordNotFoundError(`no record ${describeRef(ref)}`);
    if (!leaf) throw new NotIntegratedError(`${describeRef(ref)} is not integrated into the tree yet`);
    if (leaf.leafIndex >= treeSize) {
      throw new NotInTreeError(
        `${describeRef(ref)} is leaf ${leaf.leafIndex}, not in the tree of size ${treeSize}: ask a later tree size`,
      );
    }
    // A leaf without its row is a deleted record: proving it is proving the deletion.
    if (!record) throw new RecordNotFoundError(`${describeRef(ref)} has a leaf (${leaf.leafIndex}) but no row`);
    return { ref, leaf, record };
  });
  const paths = await inclusionPaths(
    connection,
    found.map(({ leaf }) => leaf.leafIndex),
    treeSize,
  );
  return found.map(({ ref, leaf, record }, position) => {
    const canonical = canonicalJson(record);
    return {
      ref,
      ...leaf,
      record,
      canonical,
      matchesLeaf: leafHash(Buffer.from(canonical, 'utf8')).equals(leaf.leafHash),
      proof: paths[position]!,
    };
  });
}

/** Inclusion proofs of many leaves in one tree, from one read of the union of the subtrees they need. */
async function inclusionPaths(connection: Queryable, indexes: number[], treeSize: number): Promise<Buffer[][]> {
  const ranges = indexes.map((index) => inclusionProofRanges(index, treeSize));
  const wanted = new Map<string, Subtree>();
  for (const { begin, end } of ranges.flat()) {
    for (const subtree of rangeSubtrees(begin, end)) wanted.set(subtreeKey(subtree), subtree);
  }
  const hashes =
    wanted.size === 0 ? new Map<string, Buffer>() : await pgHashStore(connection).read([...wanted.values()]);
  return ranges.map((path) => path.map(({ begin, end }) => hashRange(begin, end, hashes)));
}
