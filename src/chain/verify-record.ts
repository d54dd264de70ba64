import type { EntityManager } from '@mikro-orm/postgresql';
import { pgHashStore } from '../integrator/pg-hash-store';
import { type ChainVerification, Findings } from './chain-verification';
import { observePending, verifyIntegrationBound } from './integration-bound';
import { verifyLeafCounts } from './leaf-counts';
import { verifyStatusProjection } from './projection-check';
import { recomputeNodes, verifyNothingBeyond } from './recompute-nodes';
import { rehashLeaves } from './rehash-leaves';
import { verifyConsistencyWithHeads } from './tree-consistency';
import { type TrustOptions, trustedCheckpoints } from './trusted-checkpoints';
import { verifyLegacyChain } from './verify-chain';
import { lastVerifiedTree } from './verification-runs';
import { inSnapshot, withConnection } from './verification-snapshot';

export type VerifyOptions = Partial<TrustOptions> & {
  /** Most breaks listed (all are counted). */
  limit?: number;
  /** Re-encode every record and recompute every stored node, instead of only what was integrated since the last run. */
  full?: boolean;
  /** Seconds a committed record may wait for the integrator before its absence from the tree is a finding. */
  integrationBoundS?: number;
  /** Leaves re-hashed so far, of those this run re-hashes. */
  onProgress?: (rehashed: number, total: number) => void;
};

/**
 * `auditgraph verify` and the `verifyChain` query. In one snapshot: every trusted checkpoint (merkle_checkpoints, witness
 * folders) and the last verified tree proved extended by the current tree
 * (a), whose root the stored nodes make (e); each source's leaves counted
 * against its rows (b); the leaves integrated since the last verified tree —
 * with `full`, every leaf — re-encoded from their rows and re-hashed (c);
 * with `full`, every stored node recomputed and the legacy chain (the events
 * and rows written before the tree) verified as before. Then, outside the snapshot,
 * records committed and still not integrated past the bound (d).
 */
export async function verifyRecord(
  em: EntityManager,
  options: VerifyOptions = {},
): Promise<ChainVerification & { root: Buffer }> {
  const started = Date.now();
  const findings = new Findings(options.limit ?? 100);
  const full = options.full ?? false;
  return withConnection(em, async (db) => {
    const pending = await observePending(db);
    const checked = await inSnapshot(db, async () => {
      // The legacy chain is re-verified by full runs; its records are leaves too, for the default run's checks.
      const legacy = full ? await verifyLegacyChain(db, findings) : { events: '0', records: '0' };
      const {
        rows: [state],
      } = await db.query<{ size: string; root: Buffer; snapshot: string }>(
        `select tree_size::text as size, root, snapshot::text as snapshot from merkle_integration`,
      );
      const tree = { size: Number(state!.size), root: state!.root };
      const checkpoints = await trustedCheckpoints(
        db,
        { witnessDirs: options.witnessDirs ?? [], keys: options.keys ?? [] },
        findings,
      );
      const verified = await lastVerifiedTree(db);
      const heads = verified ? [...checkpoints, verified] : checkpoints;
      const { root, consistent } = await verifyConsistencyWithHeads(pgHashStore(db), tree, heads, findings);
      await verifyNothingBeyond(db, tree.size, findings);
      await verifyLeafCounts(db, state!.snapshot, findings);
      const from = full || !verified || verified.size > tree.size ? 0 : verified.size;
      const leavesRehashed = await rehashLeaves(db, from, tree.size, findings, options.onProgress);
      const nodesRecomputed = full ? await recomputeNodes(db, tree.size, findings) : 0;
      if (full) await verifyStatusProjection(db, state!.snapshot, findings);
      return { ...legacy, tree, root, checkpoints: consistent, leavesRehashed, nodesRecomputed };
    });
    await verifyIntegrationBound(db, pending, options.integrationBoundS ?? 5, findings);
    return {
      intact: findings.count === 0,
      full,
      events: checked.events,
      records: checked.records,
      treeSize: String(checked.tree.size),
      root: checked.root,
      rootHash: checked.root.toString('base64'),
      checkpoints: checked.checkpoints,
      leavesRehashed: String(checked.leavesRehashed),
      nodesRecomputed: String(checked.nodesRecomputed),
      firstBreak: findings.listed[0] ?? null,
      breaks: findings.listed,
      durationMs: Date.now() - started,
    };
  });
}
