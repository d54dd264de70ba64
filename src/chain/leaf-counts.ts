import { LEAF_SOURCES, type LeafSource } from '../integrator/leaf-sources';
import type { Findings } from './chain-verification';
import { rowsByKey } from './rows-by-key';
import type { Db } from './verification-snapshot';

/**
 * Rows of a source the integrator's snapshot `$1` (merkle_integration) has
 * taken in: written by a transaction that snapshot sees as finished. Those
 * must have a leaf each; rows committed since are the bound's concern.
 */
const INTEGRATED = `t.recorded_xid < pg_snapshot_xmax($1::pg_snapshot)
  and not t.recorded_xid = any(array(select pg_snapshot_xip($1::pg_snapshot)))`;

/**
 * How many leaves a source's integrated rows make: one per row, except the
 * query audit log's, one per writer transaction (src/integrator/leaf-sources.ts).
 */
const countedLeaves = (source: LeafSource) =>
  source.source === 'query_audit_log' ? 'count(distinct t.recorded_xid)' : 'count(*)';

/** Keys compared per statement when naming the rows and leaves that differ. */
const KEY_CHUNK = 5_000;

/**
 * Names the leaves of `source` whose row is gone: the leaf keys, a chunk at
 * a time, against the rows the source's own key lookup finds.
 */
async function gone(db: Db, source: LeafSource, findings: Findings): Promise<void> {
  await db.query(
    `declare source_leaves no scroll cursor for
    select leaf_index::text as leaf, record_key as key from merkle_leaves where source = $1 order by leaf_index`,
    [source.source],
  );
  try {
    while (!findings.full) {
      const { rows } = await db.query<{ leaf: string; key: string }>(`fetch forward ${KEY_CHUNK} from source_leaves`);
      if (rows.length === 0) return;
      const { rows: present, malformed } = await rowsByKey(
        db,
        source,
        rows.map(({ key }) => key),
      );
      for (const { leaf, key } of rows) {
        if (malformed.includes(key))
          findings.add({
            kind: 'leaf',
            table: source.source,
            recordId: key,
            leafIndex: leaf,
            problem: `leaf #${leaf} names ${source.source} ${JSON.stringify(key)}, which no record of it can be`,
          });
        else if (!present.has(key))
          findings.add({
            kind: 'record',
            table: source.source,
            recordId: key,
            leafIndex: leaf,
            problem: `${source.source} ${key} (leaf #${leaf}) is gone`,
          });
      }
    }
  } finally {
    await db.query('close source_leaves');
  }
}

/** Names the integrated rows of `source` that have no leaf: written around the integrator, or deleted from the tree. */
async function notInTree(db: Db, source: LeafSource, snapshot: string, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ key: string }>(
    `select s.key from (${source.select(INTEGRATED)}) s
      where not exists (select 1 from merkle_leaves l where l.source = $2 and l.record_key = s.key)
      limit $3`,
    [snapshot, source.source, findings.limit],
  );
  for (const { key } of rows) {
    findings.add({
      kind: 'record',
      table: source.source,
      recordId: key,
      problem: `${source.source} ${key} is not in the tree, though the integrator has taken in its transaction`,
    });
  }
}

/**
 * Check (b): each source's leaves against its integrated rows, by count —
 * two index scans. Only when the counts differ are the rows and leaves
 * compared key by key, to name what was deleted or smuggled in.
 */
export async function verifyLeafCounts(db: Db, snapshot: string, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ source: string; leaves: string }>(
    `select source, count(*)::text as leaves from merkle_leaves group by source`,
  );
  const leaves = new Map(rows.map(({ source, leaves }) => [source, leaves]));
  for (const source of LEAF_SOURCES) {
    const {
      rows: [counted],
    } = await db.query<{ rows: string }>(
      `select ${countedLeaves(source)}::text as rows from ${source.source} t where ${INTEGRATED}`,
      [snapshot],
    );
    const inTree = leaves.get(source.source) ?? '0';
    leaves.delete(source.source);
    if (counted!.rows === inTree) continue;
    findings.add({
      kind: 'record',
      table: source.source,
      problem: `${source.source}: ${inTree} leaves in the tree for ${counted!.rows} integrated records`,
    });
    await gone(db, source, findings);
    await notInTree(db, source, snapshot, findings);
  }
  for (const [source, count] of leaves) {
    findings.add({
      kind: 'leaf',
      table: source,
      problem: `${count} leaves name source ${source}, which is not a table of the record`,
    });
  }
}
