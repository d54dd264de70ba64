import { sqlStateOf } from '../base/sql-state';
import { appendLeaves } from '../merkle/append';
import { leafHash } from '../merkle/tree-hash';
import { canonicalBytes } from './canonical-json';
import { LEAF_SOURCES, type SourceRow } from './leaf-sources';
import { insertLeaves, insertNodes, pgHashStore, type Queryable } from './pg-hash-store';

/** The advisory lock whose holder is the one integrator (any gateway, `auditgraph integrate`). */
export const INTEGRATOR_LOCK = 2_323_230_001;

const SERIALIZATION_FAILURE = '40001';

/** Rows per fetch: a batch of a million rows streams through memory this many at a time. */
export const DEFAULT_CHUNK_ROWS = 5_000;

export type BatchOptions = {
  chunkRows?: number;
  /** Called after each chunk is stored (not yet committed), with the tree size so far. */
  onChunk?: (size: number) => void | Promise<void>;
};

/** What a batch did: null when another integrator holds the lock (nothing was done). */
export type BatchResult = { leaves: number; size: number; root: Buffer; startedAt: number } | null;

/**
 * The previous batch's snapshot P, and of its in-progress transactions those
 * that have finished by this batch's snapshot C; the row is locked, so an
 * integrator whose snapshot predates another's commit fails here
 * (serialization) instead of integrating the same rows twice.
 */
const STATE = `
  select tree_size::text as size, root,
         pg_snapshot_xmax(snapshot)::text as xmax,
         array(select pg_snapshot_xip(snapshot) except select pg_snapshot_xip(pg_current_snapshot()))::text[] as finished,
         pg_current_snapshot()::text as current
    from merkle_integration for update`;

/**
 * Rows committed since P, as this transaction's snapshot sees them: written by
 * a transaction that started after P (xid ≥ xmax(P)) or was in progress at P
 * and has finished since — of those, the snapshot sees exactly the committed ones.
 */
const CANDIDATES = '(t.recorded_xid >= $1::xid8 or t.recorded_xid = any($2::xid8[]))';

const UPDATE_STATE = `
  update merkle_integration set tree_size = $1, root = $2, snapshot = $3::pg_snapshot, integrated_at = now()`;

/**
 * One integration batch, in one REPEATABLE READ transaction on `connection`
 * (which must be in no transaction): every row committed since the previous
 * batch becomes a leaf, in leaf order (source, recorded_xid, key), streamed
 * through a cursor `chunkRows` at a time; its leaves and the subtrees they
 * complete are stored, and the state moves to this snapshot. A crash or a
 * lost connection anywhere rolls all of it back: the next batch redoes it.
 */
export async function integrateBatch(connection: Queryable, options: BatchOptions = {}): Promise<BatchResult> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const startedAt = Date.now();
  await connection.query('begin isolation level repeatable read');
  try {
    const { rows: locked } = await connection.query<{ locked: boolean }>(
      'select pg_try_advisory_xact_lock($1) as locked',
      [INTEGRATOR_LOCK],
    );
    if (!locked[0]!.locked) {
      await connection.query('rollback');
      return null;
    }
    const { rows: states } = await connection.query<{
      size: string;
      root: Buffer;
      xmax: string;
      finished: string[];
      current: string;
    }>(STATE);
    const state = states[0]!;
    const store = pgHashStore(connection);
    const before = Number(state.size);
    let size = before;
    let root = state.root;
    for (const source of LEAF_SOURCES) {
      await connection.query(`declare leaf_rows no scroll cursor for ${source.select(CANDIDATES)}`, [
        state.xmax,
        state.finished,
      ]);
      const fetchChunk = () => connection.query<SourceRow>(`fetch forward ${chunkRows} from leaf_rows`);
      let next = fetchChunk();
      for (;;) {
        const { rows } = await next;
        if (rows.length === 0) break;
        // The next chunk is read while this one is encoded and hashed (the driver queues the statements in order).
        next = fetchChunk();
        next.catch(() => undefined);
        const hashes = rows.map((row) => leafHash(canonicalBytes(source.record(row))));
        const appended = await appendLeaves(store, size, hashes);
        await insertLeaves(
          connection,
          size,
          source.source,
          rows.map((row) => row.key),
          hashes,
        );
        await insertNodes(connection, appended.nodes);
        size = appended.size;
        root = appended.root;
        await options.onChunk?.(size);
      }
      await connection.query('close leaf_rows');
    }
    // Nothing new: the previous snapshot still finds every later row, so nothing is written.
    if (size > before) await connection.query(UPDATE_STATE, [String(size), root, state.current]);
    await connection.query('commit');
    return { leaves: size - before, size, root, startedAt };
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    // Another integrator committed a batch after this one's snapshot was taken: its turn was taken.
    if (sqlStateOf(error) === SERIALIZATION_FAILURE) return null;
    throw error;
  }
}
