import { PROJECTED_TABLES, projectionMismatchSql } from '../queries/current-status-projection';
import type { Findings } from './chain-verification';
import type { Db } from './verification-snapshot';

/**
 * A full run's check of current_statuses (derived, so not in the tree): each
 * record the integrator's snapshot sees against the latest status event it
 * sees, else the status written. A record whose projected status disagrees or
 * is missing is named: status filters answer from the projection.
 */
export async function verifyStatusProjection(db: Db, snapshot: string, findings: Findings): Promise<void> {
  for (const table of PROJECTED_TABLES) {
    if (findings.full) return;
    const { rows } = await db.query<{ id: string; expected: string; projected: string | null }>(
      projectionMismatchSql(table),
      [snapshot, findings.limit],
    );
    for (const { id, expected, projected } of rows)
      findings.add({
        kind: 'projection',
        table,
        recordId: id,
        problem:
          projected === null
            ? `${table} ${id} is missing from current_statuses (its status is ${expected})`
            : `current_statuses says ${table} ${id} is ${projected}; its records and status events say ${expected}`,
      });
  }
}
