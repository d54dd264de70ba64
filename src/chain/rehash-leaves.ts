import { canonicalBytes } from '../integrator/canonical-json';
import { leafSourceOf, type LeafSource, type SourceRow } from '../integrator/leaf-sources';
import { leafHash } from '../merkle/tree-hash';
import type { Findings } from './chain-verification';
import { rowsByKey } from './rows-by-key';
import type { Db } from './verification-snapshot';

/** Leaves re-encoded per fetch: the rows they stand for are read with one statement per source. */
const CHUNK = 5_000;

type Leaf = { leaf: string; source: string; key: string; hash: Buffer };

/** Whether a source's row makes `hash` now, as the integrator made its leaf (a purged body: its tombstone's hash). */
const matches = (source: LeafSource, row: SourceRow, hash: Buffer): boolean =>
  leafHash(canonicalBytes(source.record(row))).equals(hash);

/** One chunk of leaves, grouped by source: one read of their rows per source, and each leaf hash compared. */
async function checkChunk(db: Db, leaves: readonly Leaf[], findings: Findings): Promise<void> {
  const bySource = new Map<string, Leaf[]>();
  for (const leaf of leaves) bySource.set(leaf.source, [...(bySource.get(leaf.source) ?? []), leaf]);
  for (const [name, group] of bySource) {
    const source = leafSourceOf(name);
    if (!source) {
      for (const { leaf, key } of group)
        findings.add({
          kind: 'leaf',
          table: name,
          recordId: key,
          leafIndex: leaf,
          problem: `leaf #${leaf} names source ${name}, which is not a table of the record`,
        });
      continue;
    }
    const keys = group.map(({ key }) => key);
    const { rows: byKey, malformed } = await rowsByKey(db, source, keys);
    for (const { leaf, key, hash } of group) {
      const row = byKey.get(key);
      const at = { table: name, recordId: key, leafIndex: leaf };
      if (malformed.includes(key))
        findings.add({
          kind: 'leaf',
          ...at,
          problem: `leaf #${leaf} names ${name} ${JSON.stringify(key)}, which no record of it can be`,
        });
      else if (!row) findings.add({ kind: 'record', ...at, problem: `${name} ${key} (leaf #${leaf}) is gone` });
      else if (!matches(source, row, hash))
        findings.add({
          kind: 'record',
          ...at,
          problem: `${name} ${key} was changed after it was integrated (leaf #${leaf} no longer matches it)`,
        });
    }
  }
}

/**
 * Checks (c) and --full's records: the leaves [from, to) re-encoded from the
 * rows they stand for and re-hashed, in leaf order, a chunk at a time (memory
 * bounded by the chunk). A leaf index missing from the range is a finding
 * too. Returns how many leaves were re-hashed.
 */
export async function rehashLeaves(
  db: Db,
  from: number,
  to: number,
  findings: Findings,
  onProgress?: (rehashed: number, total: number) => void,
): Promise<number> {
  await db.query(
    `declare leaves_to_rehash no scroll cursor for
    select leaf_index::text as leaf, source, record_key as key, leaf_hash as hash from merkle_leaves
     where leaf_index >= $1 and leaf_index < $2 order by leaf_index`,
    [String(from), String(to)],
  );
  let expected = from;
  let rehashed = 0;
  try {
    for (;;) {
      const { rows } = await db.query<Leaf>(`fetch forward ${CHUNK} from leaves_to_rehash`);
      for (const { leaf } of rows) {
        if (Number(leaf) !== expected)
          findings.add({
            kind: 'leaf',
            leafIndex: String(expected),
            problem: `leaves #${expected} to #${Number(leaf) - 1} are missing from merkle_leaves`,
          });
        expected = Number(leaf) + 1;
      }
      if (rows.length === 0) break;
      await checkChunk(db, rows, findings);
      rehashed += rows.length;
      onProgress?.(rehashed, to - from);
    }
  } finally {
    await db.query('close leaves_to_rehash');
  }
  if (expected < to)
    findings.add({
      kind: 'leaf',
      leafIndex: String(expected),
      problem: `leaves #${expected} to #${to - 1} are missing from merkle_leaves`,
    });
  return rehashed;
}
