import type { Table } from './seed-rows';
import type { WalkState } from './walk-state';
import { emitEvent } from './event-rows';

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
  change: { table: 'trade_decisions' | 'trade_executions'; id: number; from: string; to: string; atMs: number },
): Promise<void> {
  await emitEvent(walk, 'statusChanges', () => ({
    logType: 'TRADE',
    event: 'status_changed',
    data: { from: change.from, to: change.to },
    actor: ACTORS[change.table]!,
    atMs: change.atMs,
    subject: { table: change.table, id: change.id },
  }));
}
