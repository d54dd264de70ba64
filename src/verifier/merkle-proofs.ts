import { HASH_SIZE, nodeHash } from '../merkle/tree-hash';

/**
 * Proof verification as RFC 9162 §2.1.3.2 and §2.1.4.2 write it, step by
 * step, sharing nothing with the prover (src/merkle's proofs and subtrees)
 * but the hash definitions. Indexes and sizes are bigints here: the RFC's bit
 * shifts on numbers up to 2^64 — JavaScript's bitwise operators stop at 2^32.
 */

/** A proof that does not prove what it claims; the message says why. */
export class ProofError extends Error {
  override readonly name = 'ProofError';
}

const isOdd = (value: bigint): boolean => (value & 1n) === 1n;

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  hashes.forEach((hash, position) => {
    if (hash.length !== HASH_SIZE) {
      throw new ProofError(`${what} element ${position} is ${hash.length} bytes, not ${HASH_SIZE}`);
    }
  });
}

function checkSize(name: string, value: bigint): void {
  if (value < 0n || value >= 2n ** 64n) throw new ProofError(`${name} ${value} is not a uint64`);
}

/** §2.1.3.2: the root the inclusion path leads to from `leafHash` at `index` in a tree of `size`. */
export function rootFromInclusionProof(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
): Buffer {
  checkSize('tree size', size);
  checkSize('leaf index', index);
  if (index >= size) throw new ProofError(`leaf index ${index} is not below the tree size ${size}`);
  if (leafHash.length !== HASH_SIZE)
    throw new ProofError(`the leaf hash is ${leafHash.length} bytes, not ${HASH_SIZE}`);
  checkHashes('inclusion proof', path);
  let fn = index;
  let sn = size - 1n;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of path) {
    if (sn === 0n) throw new ProofError(`the inclusion proof is longer than a tree of size ${size} allows`);
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError(`the inclusion proof is shorter than a tree of size ${size} needs`);
  return r;
}

/** §2.1.3.2: throws a ProofError unless `path` proves `leafHash` is leaf `index` of the tree of `size` with `root`. */
export function verifyInclusion(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leafHash, path);
  if (!computed.equals(root)) throw new ProofError(`the inclusion proof of leaf ${index} leads to another root`);
}

/**
 * §2.1.4.2: throws a ProofError unless `path` proves the tree of `first`
 * leaves with root `firstRoot` is a prefix of the tree of `second` leaves
 * with root `secondRoot`. The RFC leaves first = 0 and first = second aside:
 * the empty tree is a prefix of every tree (empty proof), and a tree is its
 * own prefix when the roots are equal (empty proof).
 */
export function verifyConsistency(
  first: bigint,
  second: bigint,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
): void {
  checkSize('first tree size', first);
  checkSize('second tree size', second);
  if (first > second) throw new ProofError(`a tree of size ${second} cannot extend one of size ${first}`);
  checkHashes('consistency proof', path);
  if (first === 0n || first === second) {
    if (path.length > 0) throw new ProofError(`a consistency proof from ${first} to ${second} is empty`);
    if (first === second && !Buffer.from(firstRoot).equals(secondRoot)) {
      throw new ProofError(`two trees of size ${first} with different roots`);
    }
    return;
  }
  if (path.length === 0) throw new ProofError('the consistency proof is empty');
  const steps = (first & (first - 1n)) === 0n ? [firstRoot, ...path] : [...path];
  let fn = first - 1n;
  let sn = second - 1n;
  while (isOdd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Buffer = Buffer.from(steps[0]!);
  let sr: Buffer = Buffer.from(steps[0]!);
  for (const c of steps.slice(1)) {
    if (sn === 0n) throw new ProofError(`the consistency proof is longer than trees of ${first} and ${second} allow`);
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError(`the consistency proof is shorter than trees of ${first} and ${second} need`);
  if (!fr.equals(firstRoot)) throw new ProofError(`the consistency proof does not lead to the root of size ${first}`);
  if (!sr.equals(secondRoot)) throw new ProofError(`the consistency proof does not lead to the root of size ${second}`);
}
