import { appendLeaves } from './append';
import type { HashReader } from './proofs';
import { type Subtree, subtreeKey } from './subtrees';
import { EMPTY_ROOT } from './tree-hash';

/**
 * A tree kept in memory the way the database keeps it: the hash of every
 * complete subtree (level 0: the leaves) and nothing else. A HashReader, so
 * proofs are built from it exactly as from storage; used by tests and by
 * `verify --full`'s recomputation.
 */
export class MemoryTree implements HashReader {
  readonly #hashes = new Map<string, Buffer>();
  #size = 0;
  #root: Buffer = EMPTY_ROOT;

  get size(): number {
    return this.#size;
  }

  get root(): Buffer {
    return this.#root;
  }

  /** How many complete subtrees it stores (leaves included). */
  get storedCount(): number {
    return this.#hashes.size;
  }

  async read(subtrees: Subtree[]): Promise<Map<string, Buffer>> {
    const answer = new Map<string, Buffer>();
    for (const subtree of subtrees) {
      const key = subtreeKey(subtree);
      const hash = this.#hashes.get(key);
      if (hash === undefined) throw new Error(`subtree ${key} is not stored in a tree of size ${this.#size}`);
      answer.set(key, hash);
    }
    return answer;
  }

  /** Appends leaf hashes, storing them and every subtree they complete. */
  async append(leafHashes: Buffer[]): Promise<void> {
    const appended = await appendLeaves(this, this.#size, leafHashes);
    leafHashes.forEach((hash, offset) => this.#hashes.set(subtreeKey({ level: 0, index: this.#size + offset }), hash));
    for (const node of appended.nodes) this.#hashes.set(subtreeKey(node), node.hash);
    this.#size = appended.size;
    this.#root = appended.root;
  }
}
