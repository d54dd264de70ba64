import { appendLeaves } from '../merkle/append';
import { insertLeaves, insertNodes, pgHashStore, type Queryable } from './pg-hash-store';

export type TreeWriter = {
  /** Leaves of one source, in leaf order; stored once `chunkRows` are waiting. */
  add(source: string, keys: readonly string[], hashes: readonly Buffer[]): Promise<void>;
  /** Stores what is waiting; the tree's size and root after it. */
  flush(): Promise<{ size: number; root: Buffer }>;
};

/**
 * The tree grown inside one integration batch's transaction: leaves gather,
 * from any number of sources, until a chunk's worth is waiting, then that
 * chunk costs three statements — the frontier read, its leaves, the subtrees
 * they complete — however many sources it spans. `onChunk` hears the size
 * after each stored chunk (stored, not yet committed).
 */
export function treeWriter(
  connection: Queryable,
  size: number,
  root: Buffer,
  chunkRows: number,
  onChunk?: (size: number) => void | Promise<void>,
): TreeWriter {
  const store = pgHashStore(connection);
  let waiting = { sources: [] as string[], keys: [] as string[], hashes: [] as Buffer[] };

  async function storeWaiting(): Promise<void> {
    if (waiting.hashes.length === 0) return;
    const chunk = waiting;
    waiting = { sources: [], keys: [], hashes: [] };
    const appended = await appendLeaves(store, size, chunk.hashes);
    await insertLeaves(connection, size, chunk.sources, chunk.keys, chunk.hashes);
    await insertNodes(connection, appended.nodes);
    size = appended.size;
    root = appended.root;
    await onChunk?.(size);
  }

  return {
    async add(source, keys, hashes) {
      for (let at = 0; at < hashes.length; at++) {
        waiting.sources.push(source);
        waiting.keys.push(keys[at]!);
        waiting.hashes.push(hashes[at]!);
        if (waiting.hashes.length >= chunkRows) await storeWaiting();
      }
    },
    async flush() {
      await storeWaiting();
      return { size, root };
    },
  };
}
