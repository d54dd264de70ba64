import { LEAF_SOURCES } from '../integrator/leaf-sources';
import type { Findings } from './chain-verification';
import type { Db } from './verification-snapshot';

/** Rows committed and not yet integrated when first looked at: their transactions, per table, and when. */
export type Pending = { observedAt: number; xids: Map<string, string[]> };

/**
 * Transactions that wrote rows of `table` the integrator's snapshot (`$1`)
 * does not cover: begun after it (xid ≥ its xmax) or in progress then. Those
 * this statement sees have committed. Through the recorded_xid index: only
 * recent rows are read.
 */
const pendingSql = (table: string) => `
  select distinct t.recorded_xid::text as xid from ${table} t
   where t.recorded_xid >= pg_snapshot_xmin($1::pg_snapshot)
     and not pg_visible_in_snapshot(t.recorded_xid, $1::pg_snapshot)`;

const SNAPSHOT = `select snapshot::text as snapshot from merkle_integration`;

/** Check (d), first look: what is committed and not in the tree now (on a connection outside the run's snapshot). */
export async function observePending(db: Db): Promise<Pending> {
  const observedAt = Date.now();
  const { rows } = await db.query<{ snapshot: string }>(SNAPSHOT);
  const xids = new Map<string, string[]>();
  for (const { source } of LEAF_SOURCES) {
    const found = await db.query<{ xid: string }>(pendingSql(source), [rows[0]!.snapshot]);
    if (found.rows.length > 0)
      xids.set(
        source,
        found.rows.map(({ xid }) => xid),
      );
  }
  return { observedAt, xids };
}

/**
 * Check (d), second look, once the bound has passed since the first: a
 * transaction committed before the first look whose rows are still not in
 * the tree has been committed longer than the bound without being integrated
 * (the integrator is stopped, failing or behind). Waits out what remains of
 * the bound only when something was pending.
 */
export async function verifyIntegrationBound(
  db: Db,
  pending: Pending,
  boundS: number,
  findings: Findings,
): Promise<void> {
  if (pending.xids.size === 0) return;
  const wait = pending.observedAt + boundS * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const { rows } = await db.query<{ snapshot: string }>(SNAPSHOT);
  for (const [table, xids] of pending.xids) {
    const {
      rows: [late],
    } = await db.query<{ rows: string; transactions: string; oldest: string | null }>(
      `select count(*)::text as rows, count(distinct t.recorded_xid)::text as transactions,
              min(t.recorded_xid::text::numeric)::text as oldest
         from ${table} t
        where t.recorded_xid = any($2::xid8[]) and not pg_visible_in_snapshot(t.recorded_xid, $1::pg_snapshot)`,
      [rows[0]!.snapshot, xids],
    );
    if (late!.rows === '0') continue;
    findings.add({
      kind: 'integration',
      table,
      problem:
        `${late!.rows} ${table} rows (${late!.transactions} transactions from xid ${late!.oldest}), committed before ` +
        `${new Date(pending.observedAt).toISOString()}, are still not in the tree ${boundS} s later`,
    });
  }
}
