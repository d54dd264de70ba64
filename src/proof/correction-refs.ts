import type { Queryable } from '../integrator/pg-hash-store';
import { refKey } from './leaf-reads';
import { CORRECTION_SOURCE as CORRECTIONS, type RecordRef } from './record-ref';

/**
 * `refs` and, after them, the corrections of those records that are leaves
 * of the tree of `treeSize` leaves, oldest first: a bundle proves a corrected
 * record's original content (its leaf) and each correction of it, so an
 * examiner holds what the API answers now and why. A correction integrated
 * after that tree is not in it, and not in the bundle.
 */
export async function withCorrections(
  connection: Queryable,
  refs: readonly RecordRef[],
  treeSize: number,
): Promise<RecordRef[]> {
  const { rows } = await connection.query<{ key: string }>(
    `select c.id::text as key
       from unnest($1::text[], $2::text[]) as r(source, key)
       join record_corrections c on c.subject_table = r.source and c.subject_id::text = r.key
       join merkle_leaves l on l.source = '${CORRECTIONS}' and l.record_key = c.id::text and l.leaf_index < $3
      order by c.id`,
    [refs.map((ref) => ref.source), refs.map((ref) => ref.key), treeSize],
  );
  const asked = new Set(refs.map(refKey));
  const corrections = rows.map(({ key }) => ({ source: CORRECTIONS, key })).filter((ref) => !asked.has(refKey(ref)));
  return [...refs, ...corrections];
}
