import fc from 'fast-check';
import { appendLeaves, overlayReader } from '../src/merkle/append';
import { MemoryTree } from '../src/merkle/memory-tree';
import { consistencyProof, type HashReader, inclusionProof, rootAt } from '../src/merkle/proofs';
import { type Subtree, subtreeKey } from '../src/merkle/subtrees';
import { leafHash, nodeHash } from '../src/merkle/tree-hash';
import { ProofError, verifyConsistency, verifyInclusion } from '../src/verifier/merkle-proofs';

/** RFC 9162 §2.1.1–2.1.4 written as the RFC recurses, over the leaf hashes: the reference. */
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
function subproof(m: number, leaves: Buffer[], whole: boolean): Buffer[] {
  if (m === leaves.length) return whole ? [] : [mth(leaves)];
  const k = split(leaves.length);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), whole), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

/** Distinct leaves (equal sibling hashes would let a swapped index verify). */
const leavesOf = (count: number, salt: number): Buffer[] =>
  Array.from({ length: count }, (_, index) => leafHash(Buffer.from(`leaf ${index} of ${count}, salt ${salt}`)));

async function treeOf(leaves: Buffer[]): Promise<MemoryTree> {
  const tree = new MemoryTree();
  await tree.append(leaves);
  return tree;
}

/** Records every read: how many calls, how many subtrees each. */
function counting(reader: HashReader): HashReader & { reads: Subtree[][] } {
  const reads: Subtree[][] = [];
  return { reads, read: (subtrees) => (reads.push(subtrees), reader.read(subtrees)) };
}

const logBound = (size: number): number => 2 * Math.ceil(Math.log2(Math.max(size, 2))) + 2;

/** Every way to change one bit of one of the buffers. */
function* oneBitChanges(buffers: Buffer[]): Generator<Buffer[]> {
  for (const [at, buffer] of buffers.entries()) {
    for (let bit = 0; bit < buffer.length * 8; bit += 1) {
      const changed = Buffer.from(buffer);
      changed[bit >> 3]! ^= 1 << (bit & 7);
      yield buffers.map((original, position) => (position === at ? changed : original));
    }
  }
}

function refused(check: () => void): boolean {
  try {
    check();
    return false;
  } catch (error) {
    if (error instanceof ProofError) return true;
    throw error;
  }
}

/** A tree size n, and a leaf index below a size ≤ n. */
const treeAndIndex = fc
  .integer({ min: 1, max: 300 })
  .chain((n) =>
    fc.integer({ min: 1, max: n }).chain((size) => fc.tuple(fc.constant(n), fc.constant(size), fc.nat(size - 1))),
  );

describe('inclusion proofs of random trees', () => {
  it('equal the RFC definition, come from one read of O(log n) subtrees, verify, and no one-bit change does', async () => {
    await fc.assert(
      fc.asyncProperty(treeAndIndex, fc.nat(), async ([n, size, index], salt) => {
        const leaves = leavesOf(n, salt);
        const reader = counting(await treeOf(leaves));
        const proof = await inclusionProof(reader, index, size);
        expect(proof).toEqual(path(index, leaves.slice(0, size)));
        expect(reader.reads.length).toBe(proof.length === 0 ? 0 : 1);
        expect(reader.reads.flat().length).toBeLessThanOrEqual(logBound(size));

        const root = mth(leaves.slice(0, size));
        expect(await rootAt(reader, size)).toEqual(root);
        const [i, s, leaf] = [BigInt(index), BigInt(size), leaves[index]!];
        verifyInclusion(i, s, leaf, proof, root);
        for (const changed of oneBitChanges(proof))
          expect(refused(() => verifyInclusion(i, s, leaf, changed, root))).toBe(true);
        for (const [changed] of oneBitChanges([leaf]))
          expect(refused(() => verifyInclusion(i, s, changed!, proof, root))).toBe(true);
        for (const [changed] of oneBitChanges([root]))
          expect(refused(() => verifyInclusion(i, s, leaf, proof, changed!))).toBe(true);
        for (let bit = 0n; bit < 53n; bit += 1n) {
          expect(refused(() => verifyInclusion(i ^ (1n << bit), s, leaf, proof, root))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** A tree size n, and 1 ≤ from ≤ to ≤ n. */
const treeAndSizes = fc
  .integer({ min: 1, max: 300 })
  .chain((n) =>
    fc
      .integer({ min: 1, max: n })
      .chain((to) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: to }), fc.constant(to))),
  );

describe('consistency proofs of random trees', () => {
  it('equal the RFC definition, come from one read of O(log n) subtrees, verify, and no one-bit change does', async () => {
    await fc.assert(
      fc.asyncProperty(treeAndSizes, fc.nat(), async ([n, from, to], salt) => {
        const leaves = leavesOf(n, salt);
        const reader = counting(await treeOf(leaves));
        const proof = await consistencyProof(reader, from, to);
        expect(proof).toEqual(from === to ? [] : subproof(from, leaves.slice(0, to), true));
        expect(reader.reads.length).toBe(proof.length === 0 ? 0 : 1);
        expect(reader.reads.flat().length).toBeLessThanOrEqual(logBound(to));

        const [root1, root2] = [mth(leaves.slice(0, from)), mth(leaves.slice(0, to))];
        const [f, t] = [BigInt(from), BigInt(to)];
        verifyConsistency(f, t, root1, root2, proof);
        for (const changed of oneBitChanges(proof))
          expect(refused(() => verifyConsistency(f, t, root1, root2, changed))).toBe(true);
        for (const [changed] of oneBitChanges([root1]))
          expect(refused(() => verifyConsistency(f, t, changed!, root2, proof))).toBe(true);
        for (const [changed] of oneBitChanges([root2]))
          expect(refused(() => verifyConsistency(f, t, root1, changed!, proof))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

/** Cuts `count` into chunk lengths (empty chunks included: a batch may find nothing). */
const chunking = (count: number) =>
  fc.array(fc.nat(count), { maxLength: 12 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), count];
    return points.slice(1).map((point, at) => point - points[at]!);
  });

/** Every complete subtree of a tree of `size` leaves. */
function completeSubtrees(size: number): Subtree[] {
  const subtrees: Subtree[] = [];
  for (let level = 0; 2 ** level <= size; level += 1) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index += 1) subtrees.push({ level, index });
  }
  return subtrees;
}

describe('appending in chunks', () => {
  it('stores the same subtrees and reaches the same roots as one append', async () => {
    const sized = fc.integer({ min: 0, max: 300 }).chain((n) => fc.tuple(fc.constant(n), chunking(n)));
    await fc.assert(
      fc.asyncProperty(sized, fc.nat(), async ([n, chunks], salt) => {
        const leaves = leavesOf(n, salt);
        const whole = await treeOf(leaves);
        const chunked = new MemoryTree();
        for (const length of chunks) {
          const reader = counting(chunked);
          const before = chunked.size;
          await chunked.append(leaves.slice(before, before + length));
          expect(reader.reads.length).toBeLessThanOrEqual(1);
          expect(reader.reads.flat().length).toBeLessThanOrEqual(Math.log2(Math.max(before, 1)) + 1);
          if (chunked.size > 0) expect(chunked.root).toEqual(mth(leaves.slice(0, chunked.size)));
        }
        expect(chunked.size).toBe(n);
        expect(chunked.root).toEqual(whole.root);
        expect(chunked.storedCount).toBe(whole.storedCount);
        const everySubtree = completeSubtrees(n);
        expect(everySubtree.length).toBe(whole.storedCount);
        expect(await chunked.read(everySubtree)).toEqual(await whole.read(everySubtree));
      }),
      { numRuns: 100 },
    );
  });

  it('within one transaction, through an overlay of what earlier chunks made, gives the nodes of one append', async () => {
    const sized = fc
      .integer({ min: 0, max: 200 })
      .chain((base) =>
        fc.integer({ min: 0, max: 200 }).chain((m) => fc.tuple(fc.constant(base), fc.constant(m), chunking(m))),
      );
    await fc.assert(
      fc.asyncProperty(sized, fc.nat(), async ([base, m, chunks], salt) => {
        const leaves = leavesOf(base + m, salt);
        const stored = await treeOf(leaves.slice(0, base)); // what is committed; nothing is written during the batch
        const oneAppend = await appendLeaves(stored, base, leaves.slice(base));
        const overlay = new Map<string, Buffer>();
        const nodes = [];
        let size = base;
        let root = stored.root;
        for (const length of chunks) {
          const chunk = leaves.slice(size, size + length);
          const appended = await appendLeaves(overlayReader(stored, overlay), size, chunk);
          chunk.forEach((hash, offset) => overlay.set(subtreeKey({ level: 0, index: size + offset }), hash));
          for (const node of appended.nodes) overlay.set(subtreeKey(node), node.hash);
          nodes.push(...appended.nodes);
          ({ size, root } = appended);
        }
        const byKey = (list: { level: number; index: number }[]) =>
          [...list].sort((a, b) => a.level - b.level || a.index - b.index);
        expect(byKey(nodes)).toEqual(byKey(oneAppend.nodes));
        expect(size).toBe(base + m);
        expect(root).toEqual(oneAppend.root);
      }),
      { numRuns: 100 },
    );
  });
});
