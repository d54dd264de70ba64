import { createHash } from 'node:crypto';

/**
 * The hash definitions of RFC 9162 §2.1.1 (RFC 6962's), SHA-256 with domain
 * separation: a leaf is hashed as 0x00‖bytes and an interior node as
 * 0x01‖left‖right, so no leaf can pass for a node. This file is the only code
 * the offline verifier (src/verifier) shares with the prover: a bug anywhere
 * else shows up as a disagreement between the two.
 */

/** Bytes in every hash of the tree. */
export const HASH_SIZE = 32;

/** MTH({}) — the root of the empty tree: SHA-256 of no bytes. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(0)).update(bytes).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest();
}
