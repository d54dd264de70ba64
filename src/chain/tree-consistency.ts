import { consistencyProof, consistencyProofRanges, type HashReader, rootAt } from '../merkle/proofs';
import { rangeSubtrees, type Subtree, subtreeKey } from '../merkle/subtrees';
import { ProofError, verifyConsistency } from '../verifier/merkle-proofs';
import type { Findings } from './chain-verification';

/** A tree head the current tree must extend: a signed checkpoint, or the tree an earlier run verified. */
export type TreeHead = { size: number; root: Buffer; time: string; from: string; signed: boolean };

/** Subtrees asked of the store per statement when reading ahead for many heads. */
const READ_CHUNK = 10_000;

/**
 * Reads, in chunks, every stored subtree the consistency proofs of all
 * `heads` need, and answers the proofs from memory: many checkpoints cost a
 * few statements, not one each.
 */
async function readAhead(store: HashReader, heads: readonly TreeHead[], size: number): Promise<HashReader> {
  const wanted = new Map<string, Subtree>();
  for (const head of heads) {
    for (const { begin, end } of consistencyProofRanges(head.size, size)) {
      for (const subtree of rangeSubtrees(begin, end)) wanted.set(subtreeKey(subtree), subtree);
    }
  }
  const hashes = new Map<string, Buffer>();
  const all = [...wanted.values()];
  for (let at = 0; at < all.length; at += READ_CHUNK) {
    for (const [key, hash] of await store.read(all.slice(at, at + READ_CHUNK))) hashes.set(key, hash);
  }
  return {
    async read(subtrees) {
      return new Map(subtrees.map((subtree) => [subtreeKey(subtree), hashes.get(subtreeKey(subtree))!]));
    },
  };
}

const named = (head: TreeHead) =>
  `${head.signed ? 'the checkpoint' : 'the tree verified'} of size ${head.size} at ${head.time} (${head.from})`;

/**
 * The root the stored nodes make at `size`, checked against the one
 * merkle_integration holds; then the tree of `size` leaves proved, by an
 * RFC 9162 consistency proof from the stored nodes checked by the offline
 * verifier, to extend every head. A head larger than the tree is a
 * truncation; one of the same size with another root, or a proof that fails,
 * a rewritten history or a fork. Returns the root and how many heads passed.
 */
export async function verifyConsistencyWithHeads(
  store: HashReader,
  tree: { size: number; root: Buffer },
  heads: readonly TreeHead[],
  findings: Findings,
): Promise<{ root: Buffer; consistent: number }> {
  let root: Buffer;
  try {
    root = await rootAt(store, tree.size);
  } catch (error) {
    findings.add({
      kind: 'tree',
      problem: `the stored tree cannot make its root at size ${tree.size}: ${(error as Error).message}`,
    });
    return { root: tree.root, consistent: 0 };
  }
  if (!root.equals(tree.root)) {
    findings.add({
      kind: 'tree',
      problem: `the stored nodes make root ${root.toString('base64')} at size ${tree.size}, not merkle_integration's ${tree.root.toString('base64')}`,
    });
  }
  const within = heads.filter((head) => head.size <= tree.size);
  let reader: HashReader;
  try {
    reader = await readAhead(store, within, tree.size);
  } catch (error) {
    findings.add({ kind: 'tree', problem: `the stored tree is missing subtrees: ${(error as Error).message}` });
    return { root, consistent: 0 };
  }
  let consistent = 0;
  for (const head of heads) {
    if (head.size > tree.size) {
      findings.add({
        kind: 'checkpoint',
        problem: `truncated: ${named(head)} has ${head.size} leaves, the tree only ${tree.size}`,
      });
      continue;
    }
    try {
      const proof = await consistencyProof(reader, head.size, tree.size);
      verifyConsistency(BigInt(head.size), BigInt(tree.size), head.root, root, proof);
      if (head.signed) consistent += 1;
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      findings.add({
        kind: 'checkpoint',
        problem: `rewritten/forked: the tree of ${tree.size} leaves does not extend ${named(head)}, root ${head.root.toString('base64')}: ${error.message}`,
      });
    }
  }
  return { root, consistent };
}
