import { checkLeafCount, hashRange, type Range, rangeSubtrees, splitPoint, type Subtree, subtreeKey } from './subtrees';
import { EMPTY_ROOT } from './tree-hash';

/**
 * Reads stored subtree hashes (level 0: leaf hashes). One call is one round
 * trip: a proof asks for everything it needs at once. The answer holds every
 * subtree asked for, keyed by subtreeKey; a missing one is the reader's error.
 */
export interface HashReader {
  read(subtrees: Subtree[]): Promise<Map<string, Buffer>>;
}

/**
 * RFC 9162 §2.1.3.1 PATH(index, D[0:size]) as the leaf range each element is
 * the MTH of, leaf side first. Each step splits the current node at k (the
 * largest power of two below its size) and keeps the sibling not holding the leaf.
 */
export function inclusionProofRanges(index: number, size: number): Range[] {
  checkLeafCount('size', size);
  checkLeafCount('index', index);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const ranges: Range[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const middle = begin + splitPoint(end - begin);
    if (index < middle) {
      ranges.push({ begin: middle, end });
      end = middle;
    } else {
      ranges.push({ begin, end: middle });
      begin = middle;
    }
  }
  return ranges.reverse();
}

/**
 * RFC 9162 §2.1.4.1 PROOF(from, D[0:to]) = SUBPROOF(from, D[0:to], true) as
 * leaf ranges, leaf side first. Empty when from is 0 or equals to (nothing to prove).
 */
export function consistencyProofRanges(from: number, to: number): Range[] {
  checkLeafCount('from', from);
  checkLeafCount('to', to);
  if (from > to) throw new RangeError(`a tree of size ${to} cannot extend one of size ${from}`);
  if (from === 0 || from === to) return [];
  const ranges: Range[] = [];
  let begin = 0;
  let end = to;
  let whole = true; // SUBPROOF's b: the old tree is still the whole current node's left edge
  while (end !== from) {
    const middle = begin + splitPoint(end - begin);
    if (from <= middle) {
      ranges.push({ begin: middle, end });
      end = middle;
    } else {
      ranges.push({ begin, end: middle });
      begin = middle;
      whole = false;
    }
  }
  if (!whole) ranges.push({ begin, end });
  return ranges.reverse();
}

/** Every subtree the ranges' hashes are made of, once each, in one read. */
async function readRanges(reader: HashReader, ranges: Range[]): Promise<Buffer[]> {
  const wanted = new Map<string, Subtree>();
  for (const { begin, end } of ranges) {
    for (const subtree of rangeSubtrees(begin, end)) wanted.set(subtreeKey(subtree), subtree);
  }
  if (wanted.size === 0) return [];
  const hashes = await reader.read([...wanted.values()]);
  return ranges.map(({ begin, end }) => hashRange(begin, end, hashes));
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export async function inclusionProof(reader: HashReader, index: number, size: number): Promise<Buffer[]> {
  return readRanges(reader, inclusionProofRanges(index, size));
}

/** The consistency proof of the tree of `from` leaves with the tree of `to` leaves (RFC 9162 §2.1.4.1). */
export async function consistencyProof(reader: HashReader, from: number, to: number): Promise<Buffer[]> {
  return readRanges(reader, consistencyProofRanges(from, to));
}

/** The root (MTH) of the tree of the first `size` leaves. */
export async function rootAt(reader: HashReader, size: number): Promise<Buffer> {
  checkLeafCount('size', size);
  if (size === 0) return EMPTY_ROOT;
  const [root] = await readRanges(reader, [{ begin: 0, end: size }]);
  return root!;
}
