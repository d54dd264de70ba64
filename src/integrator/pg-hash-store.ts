import type pg from 'pg';
import type { HashReader } from '../merkle/proofs';
import type { Subtree } from '../merkle/subtrees';

/** What the store needs of a connection: a pg client or pool (inside the caller's transaction, if any). */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Complete subtrees' hashes by `(level, index)`, in one statement: level 0 is
 * a leaf's hash (merkle_leaves), any higher level a stored node (merkle_nodes).
 */
const READ_SUBTREES = `
  select wanted.level::int as level, wanted.node_index::text as node_index,
         coalesce(n.hash, l.leaf_hash) as hash
    from unnest($1::smallint[], $2::bigint[]) as wanted(level, node_index)
    left join merkle_nodes n on wanted.level > 0 and n.level = wanted.level and n.node_index = wanted.node_index
    left join merkle_leaves l on wanted.level = 0 and l.leaf_index = wanted.node_index`;

/** The stored tree as the merkle library reads it: every `read` is one round trip. */
export function pgHashStore(connection: Queryable): HashReader {
  return {
    async read(subtrees: Subtree[]): Promise<Map<string, Buffer>> {
      const hashes = new Map<string, Buffer>();
      if (subtrees.length === 0) return hashes;
      const { rows } = await connection.query<{ level: number; node_index: string; hash: Buffer | null }>(
        READ_SUBTREES,
        [subtrees.map(({ level }) => level), subtrees.map(({ index }) => String(index))],
      );
      for (const row of rows) {
        // A subtree the tree should hold and does not is a damaged store, never an empty hash.
        if (!row.hash) throw new Error(`the Merkle store has no subtree ${row.level}/${row.node_index}`);
        hashes.set(`${row.level}/${row.node_index}`, row.hash);
      }
      return hashes;
    },
  };
}

/** Appends leaves `first`, `first + 1`, …, each of its own source: one statement. */
export async function insertLeaves(
  connection: Queryable,
  first: number,
  sources: readonly string[],
  keys: readonly string[],
  hashes: readonly Buffer[],
): Promise<void> {
  await connection.query(
    `insert into merkle_leaves (leaf_index, source, record_key, leaf_hash)
       select $1::bigint + ordinality - 1, source, key, hash
         from unnest($2::text[], $3::text[], $4::bytea[]) with ordinality as leaf(source, key, hash, ordinality)`,
    [String(first), sources, keys, hashes],
  );
}

/** Stores the complete subtrees (level ≥ 1) an append made: one statement. */
export async function insertNodes(
  connection: Queryable,
  nodes: readonly { level: number; index: number; hash: Buffer }[],
): Promise<void> {
  if (nodes.length === 0) return;
  await connection.query(
    `insert into merkle_nodes (level, node_index, hash)
       select * from unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
    [nodes.map(({ level }) => level), nodes.map(({ index }) => String(index)), nodes.map(({ hash }) => hash)],
  );
}
