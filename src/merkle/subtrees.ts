import { nodeHash } from './tree-hash';

/**
 * A complete aligned subtree: level `level` (0 = a leaf), covering the leaves
 * [index·2^level, (index+1)·2^level). Level-0 hashes are leaf hashes; every
 * other is stored once it is complete, so any proof is a fold of O(log n) of them.
 */
export interface Subtree {
  level: number;
  index: number;
}

/** A half-open range of leaf indexes [begin, end). */
export interface Range {
  begin: number;
  end: number;
}

/** The key of a subtree in hash maps and in storage: `${level}/${index}`. */
export const subtreeKey = ({ level, index }: Subtree): string => `${level}/${index}`;

/** The first leaf a subtree covers. Indexes reach 2^53, past JavaScript's 32-bit bitwise operators: arithmetic only. */
export const subtreeBegin = ({ level, index }: Subtree): number => index * 2 ** level;

/** The leaf count of the largest power of two strictly below n (n ≥ 2): RFC 9162's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A non-negative safe integer, or a RangeError naming it. */
export function checkLeafCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer below 2^53, got ${value}`);
  }
}

/**
 * The complete aligned subtrees whose concatenation is [begin, end), left to
 * right, each as large as its alignment and the range allow (O(log n) of them).
 */
export function rangeSubtrees(begin: number, end: number): Subtree[] {
  checkLeafCount('begin', begin);
  checkLeafCount('end', end);
  if (begin > end) throw new RangeError(`range [${begin}, ${end}) ends before it begins`);
  const subtrees: Subtree[] = [];
  let at = begin;
  while (at < end) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level += 1;
    subtrees.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return subtrees;
}

/**
 * MTH of the leaves [begin, end) per RFC 9162 §2.1.1, from the hashes of its
 * rangeSubtrees. The range must be a node of the RFC's recursive split (as
 * every proof element and every root is): then its subtrees shrink left to
 * right and MTH = node(first, MTH(rest)), a fold from the right.
 */
export function hashRange(begin: number, end: number, hashes: ReadonlyMap<string, Buffer>): Buffer {
  const subtrees = rangeSubtrees(begin, end);
  if (subtrees.length === 0) throw new RangeError(`the empty range at ${begin} has no Merkle tree hash`);
  const hashOf = (subtree: Subtree): Buffer => {
    const hash = hashes.get(subtreeKey(subtree));
    if (hash === undefined) throw new Error(`subtree ${subtreeKey(subtree)} is missing from the hashes read`);
    return hash;
  };
  let hash = hashOf(subtrees[subtrees.length - 1]!);
  for (let i = subtrees.length - 2; i >= 0; i -= 1) hash = nodeHash(hashOf(subtrees[i]!), hash);
  return hash;
}
