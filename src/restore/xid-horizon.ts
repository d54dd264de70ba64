import { OperatorError } from '../base/errors';
import type { Queryable } from '../integrator/pg-hash-store';

/** The most transaction ids a restore consumes to move past the exported ones (about 40,000 a second). */
export const MAX_XIDS_TO_ADVANCE = 20_000_000;

/**
 * Makes the server's next transaction id come after `recordedXid`. Restored
 * rows keep the writer transaction ids they were exported with (the query
 * audit log's leaves are keyed by them), and the integrator finds new rows
 * by comparing those ids with snapshots: a new write must not take an id at
 * or below a restored one. On the same cluster that is already so; on a new
 * cluster it costs one committed transaction per id (a DO block with COMMIT,
 * which must run outside any transaction). Beyond MAX_XIDS_TO_ADVANCE the
 * operator sets the counter of the new, stopped cluster instead
 * (`pg_resetwal -x`, README "Restore").
 */
export async function advancePastXid(connection: Queryable, recordedXid: string): Promise<number> {
  const {
    rows: [state],
  } = await connection.query<{ gap: string }>(
    `select greatest(0, $1::xid8::text::numeric - pg_current_xact_id()::text::numeric + 1)::text as gap`,
    [recordedXid],
  );
  const gap = Number(state!.gap);
  if (gap === 0) return 0;
  if (gap > MAX_XIDS_TO_ADVANCE)
    throw new OperatorError(
      `the export's rows were written by transaction ids up to ${recordedXid}, ${gap} past this server's next one: ` +
        `stop the new cluster and run pg_resetwal -x <a number above ${recordedXid} % 2^32> -e <its epoch>, then restore again`,
    );
  await connection.query(`do $$ begin for i in 1..${gap} loop perform pg_current_xact_id(); commit; end loop; end $$`);
  return gap;
}
