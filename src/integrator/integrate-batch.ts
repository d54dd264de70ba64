import { sqlStateOf } from '../base/sql-state';
import { leafHash } from '../merkle/tree-hash';
import { canonicalBytes } from './canonical-json';
import { foldChangesSql } from '../queries/current-status-projection';
import { LEAF_SOURCES, type SourceRow } from './leaf-sources';
import type pg from 'pg';
import { type Queryable } from './pg-hash-store';
import { treeWriter } from './tree-writer';
import { INTEGRATOR_LOCK } from '../database/advisory-locks';

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
export const BATCH_STATE = `
  select tree_size::text as size, root,
         pg_snapshot_xmax(snapshot)::text as xmax,
         pg_snapshot_xmax(pg_current_snapshot())::text as upto,
         array(select pg_snapshot_xip(snapshot) except select pg_snapshot_xip(pg_current_snapshot()))::text[] as finished,
         pg_current_snapshot()::text as current,
         exists (select from pg_snapshot_xip(pg_current_snapshot()) x where x >= pg_snapshot_xmax(snapshot)) as stale
    from merkle_integration where pg_try_advisory_xact_lock($1) for update`;

type BatchState = {
  size: string;
  root: Buffer;
  xmax: string;
  upto: string;
  finished: string[];
  current: string;
  stale: boolean;
};

/**
 * Rows committed since P, as this transaction's snapshot C sees them: written
 * by a transaction that started after P (xid ≥ xmax(P)) or was in progress at
 * P and has finished since — of those, the snapshot sees exactly the committed
 * ones. Below xmax(C) too: C sees no xid from there on, and the one there may
 * be a long import still open, whose rows the index range would otherwise
 * fetch (and find invisible) in every batch until it commits.
 * Parameters: xmax(P), P's in-progress xids finished by C, xmax(C).
 */
export const CANDIDATES =
  '((t.recorded_xid >= $1::xid8 and t.recorded_xid < $3::xid8) or t.recorded_xid = any($2::xid8[]))';

/** Which sources (indexes into LEAF_SOURCES) have rows committed since P: one statement, an index probe each. */
const SOURCES_WITH_CANDIDATES = LEAF_SOURCES.map(
  (source, at) => `select ${at} as at where exists (${source.select(CANDIDATES)})`,
).join(' union all ');

/** The batch's records and status events folded into current_statuses, in its transaction. */
const FOLD_STATUSES = foldChangesSql(CANDIDATES);

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
    // The lock first, in the same statement: a process that does not get it neither locks nor reads the state.
    const { rows: states } = await connection.query<BatchState>(BATCH_STATE, [INTEGRATOR_LOCK]);
    const state = states[0];
    if (!state) {
      await connection.query('rollback');
      return null;
    }
    const bounds = [state.xmax, state.finished, state.upto];
    const tree = treeWriter(connection, Number(state.size), state.root, chunkRows, options.onChunk);
    // Most batches are a few rows of a few sources: one statement says which sources have any, and only those
    // are read. The batch's round trips, not its rows, are most of a small batch's time in a busy gateway.
    const { rows: found } = await connection.query<{ at: number }>(SOURCES_WITH_CANDIDATES, bounds);
    for (const { at } of found) {
      const source = LEAF_SOURCES[at]!;
      const cursor = `leaf_rows_${at}`;
      await connection.query(`declare ${cursor} no scroll cursor for ${source.select(CANDIDATES)}`, bounds);
      const fetchChunk = () => connection.query<SourceRow>(`fetch forward ${chunkRows} from ${cursor}`);
      for (let next: Promise<pg.QueryResult<SourceRow>> | undefined = fetchChunk(); next;) {
        const { rows }: { rows: SourceRow[] } = await next;
        // A short chunk is the last; a full one may have more, read while this one is encoded and hashed.
        next = rows.length === chunkRows ? fetchChunk() : undefined;
        next?.catch(() => undefined);
        await tree.add(
          source.source,
          rows.map((row) => row.key),
          rows.map((row) => leafHash(canonicalBytes(source.record(row)))),
        );
      }
    }
    // The projection moves with the snapshot, in this transaction: as of any snapshot a reader sees, it holds
    // exactly what merkle_integration.snapshot sees.
    if (found.length > 0) await connection.query(FOLD_STATUSES, bounds);
    const { size, root } = await tree.flush();
    const before = Number(state.size);
    // Nothing new: the previous snapshot still finds every later row, so it is kept — unless a transaction
    // begun since it is still open (a long import): every batch would read that one's uncommitted rows again
    // (xid ≥ xmax(P)) until P moves past it, into P's in-progress list, where the index skips it.
    if (size > before || state.stale) await connection.query(UPDATE_STATE, [String(size), root, state.current]);
    await connection.query('commit');
    return { leaves: size - before, size, root, startedAt };
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    // Another integrator committed a batch after this one's snapshot was taken: its turn was taken.
    if (sqlStateOf(error) === SERIALIZATION_FAILURE) return null;
    throw error;
  }
}
