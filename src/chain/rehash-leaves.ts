import { canonicalBytes } from '../integrator/canonical-json';
import { leafSourceOf, type LeafSource, type SourceRow } from '../integrator/leaf-sources';
import { leafHash } from '../merkle/tree-hash';
import type { Findings } from './chain-verification';
import { rowsByKey } from './rows-by-key';
import type { Db } from './verification-snapshot';

/** Leaves re-encoded per fetch: the rows they stand for are read with one statement per source. */
const CHUNK = 5_000;

type Leaf = { leaf: string; source: string; key: string; hash: Buffer };

/** A purged body's canonical hash, and whether the purge may have preceded the payload's integration. */
type PurgedBody = { sha256: string; beforeLeaf: boolean };

/**
 * A purged payload's row has no body: its leaf's `payloadSha256` (the
 * canonical body hash, src/integrator/leaf-sources.ts) is its tombstone's,
 * which the purge wrote with the same hash function — unless the body was
 * purged before the payload was integrated, when the integrator encoded the
 * row as it found it, with no body.
 */
async function purgedBodies(db: Db, keys: readonly string[]): Promise<Map<string, PurgedBody>> {
  const { rows } = await db.query<{ id: string; sha256: string; before: boolean }>(
    `select t.api_payload_id::text as id, t.body_sha256 as sha256, t.purged_at <= l.integrated_at as before
       from api_payload_tombstones t
       join merkle_leaves l on l.source = 'api_payloads' and l.record_key = t.api_payload_id::text
      where t.api_payload_id = any($1::bigint[]) and t.body_sha256 is not null`,
    [keys],
  );
  return new Map(rows.map(({ id, sha256, before }) => [id, { sha256, beforeLeaf: before }]));
}

/** Whether a source's row makes `hash` now, as the integrator made its leaf. */
function matches(source: LeafSource, row: SourceRow, hash: Buffer, purged: ReadonlyMap<string, PurgedBody>): boolean {
  const record = source.record(row);
  const body = purged.get(row.key);
  if (source.source !== 'api_payloads' || record.payloadSha256 !== null || !body)
    return leafHash(canonicalBytes(record)).equals(hash);
  if (body.beforeLeaf && leafHash(canonicalBytes(record)).equals(hash)) return true;
  return leafHash(canonicalBytes({ ...record, payloadSha256: body.sha256 })).equals(hash);
}

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
    const purged = source.source === 'api_payloads' ? await purgedBodies(db, keys) : new Map<string, PurgedBody>();
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
      else if (!matches(source, row, hash, purged))
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
export async function rehashLeaves(db: Db, from: number, to: number, findings: Findings): Promise<number> {
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
