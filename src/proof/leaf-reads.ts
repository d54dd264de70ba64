import type { Queryable } from '../integrator/pg-hash-store';
import { leafSourceOf, type SourceRow } from '../integrator/leaf-sources';
import type { RecordRef } from './record-ref';

/** A record's leaf: its number in the tree and its hash. */
export type Leaf = { leafIndex: number; leafHash: Buffer };

/** The map key of a record: source and key cannot run into each other (a source holds no NUL). */
export const refKey = ({ source, key }: RecordRef): string => `${source}\u0000${key}`;

/** The leaves of `refs`, whatever their sources, in one statement; a record not integrated yet is absent. */
export async function leavesOf(connection: Queryable, refs: readonly RecordRef[]): Promise<Map<string, Leaf>> {
  const leaves = new Map<string, Leaf>();
  if (refs.length === 0) return leaves;
  const { rows } = await connection.query<{
    source: string;
    record_key: string;
    leaf_index: string;
    leaf_hash: Buffer;
  }>(
    `select l.source, l.record_key, l.leaf_index::text, l.leaf_hash
       from unnest($1::text[], $2::text[]) as wanted(source, record_key)
       join merkle_leaves l on l.source = wanted.source and l.record_key = wanted.record_key`,
    [refs.map(({ source }) => source), refs.map(({ key }) => key)],
  );
  for (const row of rows) {
    leaves.set(refKey({ source: row.source, key: row.record_key }), {
      leafIndex: Number(row.leaf_index),
      leafHash: row.leaf_hash,
    });
  }
  return leaves;
}

/**
 * The canonical record objects of `refs` as their rows read now, by the
 * leaf sources' own statements and encodings (one statement per source); a
 * record that does not exist is absent.
 */
export async function recordsOf(
  connection: Queryable,
  refs: readonly RecordRef[],
): Promise<Map<string, Record<string, unknown>>> {
  const bySource = new Map<string, string[]>();
  for (const { source, key } of refs) {
    if (!bySource.has(source)) bySource.set(source, []);
    bySource.get(source)!.push(key);
  }
  const records = new Map<string, Record<string, unknown>>();
  for (const [source, keys] of bySource) {
    const leafSource = leafSourceOf(source);
    if (!leafSource) throw new Error(`no leaf source ${source}`);
    const { rows } = await connection.query<SourceRow>(leafSource.select(leafSource.keyCondition), [keys]);
    for (const row of rows) records.set(refKey({ source, key: row.key }), leafSource.record(row));
  }
  return records;
}
