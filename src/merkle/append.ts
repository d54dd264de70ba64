import type { HashReader } from './proofs';
import { checkLeafCount, hashRange, rangeSubtrees, type Subtree, subtreeKey } from './subtrees';
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './tree-hash';

/** A complete subtree's hash, as stored (merkle_nodes: level ≥ 1). */
export interface StoredNode extends Subtree {
  hash: Buffer;
}

export interface Appended {
  /** Every subtree of level ≥ 1 completed by the new leaves, lower levels first. */
  nodes: StoredNode[];
  size: number;
  root: Buffer;
}

/**
 * Appends leaf hashes to the tree of `size` leaves. The only existing hashes
 * a new node can need are the complete subtrees of [0, size) — the frontier,
 * at most log₂(size)+1 of them — so that is the one read. Callable chunk by
 * chunk in one transaction, provided the reader sees the previous chunk's
 * leaves and nodes (write them first, or read through overlayReader).
 */
export async function appendLeaves(reader: HashReader, size: number, newLeafHashes: Buffer[]): Promise<Appended> {
  checkLeafCount('size', size);
  const newSize = size + newLeafHashes.length;
  checkLeafCount('the new size', newSize);
  newLeafHashes.forEach((hash, offset) => {
    if (hash.length !== HASH_SIZE) throw new RangeError(`leaf hash ${size + offset} is ${hash.length} bytes, not 32`);
  });
  const frontier = rangeSubtrees(0, size);
  const hashes = frontier.length > 0 ? await reader.read(frontier) : new Map<string, Buffer>();
  newLeafHashes.forEach((hash, offset) => hashes.set(subtreeKey({ level: 0, index: size + offset }), hash));

  const nodes: StoredNode[] = [];
  for (let level = 1; 2 ** level <= newSize; level += 1) {
    // Complete at this level after the append, and not before: index i with size < (i+1)·2^level ≤ newSize.
    const first = Math.floor(size / 2 ** level);
    const last = Math.floor(newSize / 2 ** level);
    for (let index = first; index < last; index += 1) {
      const left = hashes.get(subtreeKey({ level: level - 1, index: 2 * index }));
      const right = hashes.get(subtreeKey({ level: level - 1, index: 2 * index + 1 }));
      if (left === undefined || right === undefined) {
        throw new Error(`the reader did not return the frontier of the tree of size ${size}`);
      }
      const hash = nodeHash(left, right);
      hashes.set(subtreeKey({ level, index }), hash);
      nodes.push({ level, index, hash });
    }
  }
  return { nodes, size: newSize, root: newSize === 0 ? EMPTY_ROOT : hashRange(0, newSize, hashes) };
}

/**
 * A reader that answers from `overlay` (subtree key → hash: the leaves and
 * nodes a transaction has made but not yet written) and asks `reader`, in one
 * read, only for the rest.
 */
export function overlayReader(reader: HashReader, overlay: ReadonlyMap<string, Buffer>): HashReader {
  return {
    async read(subtrees) {
      const answer = new Map<string, Buffer>();
      const missing = subtrees.filter((subtree) => {
        const hash = overlay.get(subtreeKey(subtree));
        if (hash !== undefined) answer.set(subtreeKey(subtree), hash);
        return hash === undefined;
      });
      if (missing.length > 0) for (const [key, hash] of await reader.read(missing)) answer.set(key, hash);
      return answer;
    },
  };
}
