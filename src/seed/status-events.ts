import type { Table } from './seed-rows';
import type { WalkState } from './walk-state';

/** Who moves each generated lifecycle on: the order router settles decisions, the broker sync executions. */
const ACTORS: Partial<Record<Table, string>> = {
  trade_decisions: 'order-router',
  trade_executions: 'broker-sync',
};

/**
 * A lifecycle step of a generated record, as producers write it: the row
 * keeps the status it was written with (a decision pending, an execution
 * submitted) and the move to its outcome is an appended `status_changed`
 * event at the moment it happened, so that the record as of an earlier
 * instant differs from now. Its time comes from the walk's own times, never
 * from a new random draw: the rest of the generated data stays as it was.
 */
export async function emitStatusChange(
  walk: WalkState,
  change: { table: Table; id: number; from: string; to: string; atMs: number },
): Promise<void> {
  const { anchorMs, emit, sink } = walk;
  if (
    emit('audit_events', () => ({
      // The database numbers and times every event (seq and recorded_at are left to it, see
      // copy-sink.ts); the legacy chain's hashes are null since the Merkle tree proves the record.
      prev_hash: null,
      hash: null,
      log_type: 'TRADE',
      event: 'status_changed',
      event_data: { from: change.from, to: change.to },
      subject_table: change.table,
      subject_id: change.id,
      external_id: null,
      actor: ACTORS[change.table]!,
      occurred_at: new Date(Math.min(change.atMs, anchorMs - 1)),
      record_ids: null,
      record_hashes: null,
    }))
  )
    await sink.flush();
}
