import { nodeHash } from '../merkle/tree-hash';
import type { Findings } from './chain-verification';
import type { Db } from './verification-snapshot';

/** Rows per fetch, per stream: memory is this times the tree's height. */
const CHUNK = 5_000;

type Hashed = { index: number; hash: Buffer };

/** The stored nodes of one level of the tree of `size` leaves, in index order, fetched a chunk at a time. */
class LevelStream {
  #buffer: Hashed[] = [];
  #at = 0;
  #opened = false;
  #done = false;

  constructor(
    private readonly db: Db,
    readonly level: number,
    private readonly size: number,
  ) {}

  get cursor(): string {
    return `stored_nodes_${this.level}`;
  }

  async peek(): Promise<Hashed | undefined> {
    if (this.#at < this.#buffer.length) return this.#buffer[this.#at];
    if (this.#done) return undefined;
    if (!this.#opened) {
      await this.db.query(
        `declare ${this.cursor} no scroll cursor for select node_index::text as index, hash from merkle_nodes
          where level = $1 and node_index < $2 order by node_index`,
        [this.level, String(Math.floor(this.size / 2 ** this.level))],
      );
      this.#opened = true;
    }
    const { rows } = await this.db.query<{ index: string; hash: Buffer }>(`fetch forward ${CHUNK} from ${this.cursor}`);
    this.#buffer = rows.map(({ index, hash }) => ({ index: Number(index), hash }));
    this.#at = 0;
    if (rows.length === 0) this.#done = true;
    return this.#buffer[0];
  }

  skip(): void {
    this.#at += 1;
  }

  async close(): Promise<void> {
    if (this.#opened) await this.db.query(`close ${this.cursor}`);
  }
}

/**
 * --full's tree check: every stored node of the tree of `size` leaves
 * recomputed from the leaves, streaming — the leaves in order, the nodes of
 * each level in order — holding only the frontier (one hash per level) and a
 * chunk per stream. A node stored with another hash, or not stored at all,
 * is a finding naming it. Returns how many nodes were recomputed.
 */
export async function recomputeNodes(db: Db, size: number, findings: Findings): Promise<number> {
  const levels: LevelStream[] = [];
  const frontier: { level: number; index: number; hash: Buffer }[] = [];
  let recomputed = 0;
  const compare = async (level: number, index: number, hash: Buffer) => {
    recomputed += 1;
    const stream = (levels[level] ??= new LevelStream(db, level, size));
    let stored = await stream.peek();
    while (stored && stored.index < index) {
      stream.skip();
      stored = await stream.peek();
    }
    const node = `${level}/${index}`;
    if (!stored || stored.index !== index)
      findings.add({
        kind: 'tree',
        problem: `node ${node} (leaves ${index * 2 ** level} to ${(index + 1) * 2 ** level - 1}) is missing from merkle_nodes`,
      });
    else {
      stream.skip();
      if (!stored.hash.equals(hash))
        findings.add({
          kind: 'tree',
          problem: `node ${node} (leaves ${index * 2 ** level} to ${(index + 1) * 2 ** level - 1}) is not the hash of its leaves`,
        });
    }
  };
  await db.query(
    `declare leaves_in_order no scroll cursor for
       select leaf_index::text as index, leaf_hash as hash from merkle_leaves where leaf_index < $1 order by leaf_index`,
    [String(size)],
  );
  try {
    for (;;) {
      const { rows } = await db.query<{ index: string; hash: Buffer }>(`fetch forward ${CHUNK} from leaves_in_order`);
      if (rows.length === 0) break;
      for (const row of rows) {
        // A missing leaf is rehashLeaves' finding; the nodes above it cannot be recomputed and are skipped.
        frontier.push({ level: 0, index: Number(row.index), hash: row.hash });
        while (frontier.length >= 2 && frontier.at(-1)!.level === frontier.at(-2)!.level) {
          const right = frontier.pop()!;
          const left = frontier.pop()!;
          if (right.index !== left.index + 1) {
            frontier.push(right);
            break;
          }
          const node = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
          await compare(node.level, node.index, node.hash);
          frontier.push(node);
        }
      }
    }
  } finally {
    await db.query('close leaves_in_order');
    for (const stream of levels) await stream?.close();
  }
  return recomputed;
}

/**
 * Leaves and nodes stored past the tree of `size` leaves (none should be:
 * the integrator stores only what its committed size covers): by index, one
 * statement, through the primary keys.
 */
export async function verifyNothingBeyond(db: Db, size: number, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ level: number; index: string }>(
    `(select 0 as level, leaf_index::text as index from merkle_leaves where leaf_index >= $1::bigint order by leaf_index limit 1)
     union all
     select l.level, n.node_index::text from generate_series(1, 62) l(level)
       cross join lateral (select node_index from merkle_nodes
                            where level = l.level and node_index >= $1::bigint >> l.level order by node_index limit 1) n`,
    [String(size)],
  );
  for (const { level, index } of rows) {
    findings.add({
      kind: 'tree',
      leafIndex: level === 0 ? index : null,
      problem: `${level === 0 ? `leaf #${index}` : `node ${level}/${index}`} is stored beyond the tree of ${size} leaves (merkle_integration)`,
    });
  }
}
