import type pg from 'pg';
import { canonicalBytes } from '../../src/integrator/canonical-json';
import { leafSourceOf, type SourceRow } from '../../src/integrator/leaf-sources';
import { MemoryTree } from '../../src/merkle/memory-tree';
import { leafHash } from '../../src/merkle/tree-hash';

export type StoredTree = { size: number; root: Buffer; leaves: string[] };

/**
 * Checks the stored tree against the records and an in-memory tree, and
 * returns it: leaf indexes 0…n−1 with no gap, each leaf's hash that of its
 * record's canonical JSON now, the state's size and root those of a
 * MemoryTree of the same leaves, and every stored node one of its subtrees.
 * `leaves` are `source/key`, in leaf order.
 */
export async function checkedStoredTree(client: pg.Client): Promise<StoredTree> {
  const { rows: leaves } = await client.query<{
    leaf_index: string;
    source: string;
    record_key: string;
    leaf_hash: Buffer;
  }>('select leaf_index::text as leaf_index, source, record_key, leaf_hash from merkle_leaves m order by m.leaf_index');
  // Mismatches collected, then one expect: jest's matchers cost too much per leaf of a big tree.
  expect(leaves.filter((leaf, index) => leaf.leaf_index !== String(index))).toEqual([]);
  const bySource = new Map<string, string[]>();
  for (const leaf of leaves) {
    if (!bySource.has(leaf.source)) bySource.set(leaf.source, []);
    bySource.get(leaf.source)!.push(leaf.record_key);
  }
  const recomputed = new Map<string, Buffer>();
  for (const [source, keys] of bySource) {
    const leafSource = leafSourceOf(source)!;
    const { rows } = await client.query<SourceRow>(leafSource.select(leafSource.keyCondition), [keys]);
    for (const row of rows) recomputed.set(`${source}/${row.key}`, leafHash(canonicalBytes(leafSource.record(row))));
  }
  const changed = leaves.filter((leaf) => !recomputed.get(`${leaf.source}/${leaf.record_key}`)?.equals(leaf.leaf_hash));
  expect(changed.map((leaf) => `${leaf.source}/${leaf.record_key}`)).toEqual([]);

  const memory = new MemoryTree();
  await memory.append(leaves.map((leaf) => leaf.leaf_hash));
  const { rows: states } = await client.query<{ size: string; root: Buffer }>(
    'select tree_size::text as size, root from merkle_integration',
  );
  expect(Number(states[0]!.size)).toBe(memory.size);
  expect(states[0]!.root).toEqual(memory.root);
  const { rows: nodes } = await client.query<{ level: number; node_index: string; hash: Buffer }>(
    'select level, node_index::text, hash from merkle_nodes',
  );
  const expected = await memory.read(nodes.map((node) => ({ level: node.level, index: Number(node.node_index) })));
  const wrong = nodes.filter((node) => !expected.get(`${node.level}/${node.node_index}`)?.equals(node.hash));
  expect(wrong.map((node) => `${node.level}/${node.node_index}`)).toEqual([]);
  expect(nodes.length + leaves.length).toBe(memory.storedCount);
  return { size: memory.size, root: memory.root, leaves: leaves.map((leaf) => `${leaf.source}/${leaf.record_key}`) };
}
