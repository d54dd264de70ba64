import type { Queryable } from '../integrator/pg-hash-store';
import { type Instant, instantFromDatabase } from '../time/instant';

/** A signed checkpoint as merkle_checkpoints keeps it: the note is the published text, byte for byte. */
export type StoredCheckpoint = { treeSize: number; root: Buffer; time: Instant; keyName: string; note: string };

type CheckpointRow = { tree_size: string; root: Buffer; signed_at: string; key_name: string; note: string };

// Read from `merkle_checkpoints c`, and ordered by `c.…`: an unqualified ORDER BY name is the output column
// first, which here is the text of the size or time (by text, 60 comes after 264).
const COLUMNS = 'c.tree_size::text, c.root, c.signed_at::text, c.key_name, c.note';

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({
  treeSize: Number(row.tree_size),
  root: row.root,
  time: instantFromDatabase(row.signed_at),
  keyName: row.key_name,
  note: row.note,
});

async function some(connection: Queryable, sql: string, values: unknown[]): Promise<StoredCheckpoint[]> {
  const { rows } = await connection.query<CheckpointRow>(sql, values);
  return rows.map(toCheckpoint);
}

/** The newest signed checkpoint (the largest tree), or null before the first. */
export async function newestCheckpoint(connection: Queryable): Promise<StoredCheckpoint | null> {
  const [newest] = await some(
    connection,
    `select ${COLUMNS} from merkle_checkpoints c order by c.tree_size desc limit 1`,
    [],
  );
  return newest ?? null;
}

/**
 * "The checkpoint of day D": the newest whose time is at or before `time`
 * (a checkpoint is signed after the batch it covers, so times grow with sizes).
 */
export async function checkpointAt(connection: Queryable, time: Instant): Promise<StoredCheckpoint | null> {
  const [found] = await some(
    connection,
    `select ${COLUMNS} from merkle_checkpoints c where c.signed_at <= $1::timestamptz
      order by c.signed_at desc, c.tree_size desc limit 1`,
    [time],
  );
  return found ?? null;
}

/** The checkpoints of these tree sizes (one statement), by size. */
export async function checkpointsOfSizes(
  connection: Queryable,
  sizes: readonly number[],
): Promise<Map<number, StoredCheckpoint>> {
  const found = await some(
    connection,
    `select ${COLUMNS} from merkle_checkpoints c where c.tree_size = any($1::bigint[])`,
    [sizes.map(String)],
  );
  return new Map(found.map((checkpoint) => [checkpoint.treeSize, checkpoint]));
}

/** Up to `first` checkpoints, newest first, of trees smaller than `before` when given (keyset by size). */
export function checkpointsPage(
  connection: Queryable,
  first: number,
  before: number | null,
): Promise<StoredCheckpoint[]> {
  return some(
    connection,
    `select ${COLUMNS} from merkle_checkpoints c where $1::bigint is null or c.tree_size < $1::bigint
      order by c.tree_size desc limit $2`,
    [before === null ? null : String(before), first],
  );
}

/** Checkpoints of trees larger than `after`, oldest first, at most `limit` (a witness catching up). */
export function checkpointsAfter(connection: Queryable, after: number, limit: number): Promise<StoredCheckpoint[]> {
  return some(
    connection,
    `select ${COLUMNS} from merkle_checkpoints c where c.tree_size > $1::bigint order by c.tree_size limit $2`,
    [String(after), limit],
  );
}

/** Every public key that has signed a checkpoint (checkpoint_keys), in the order they began signing. */
export async function verifierKeys(connection: Queryable): Promise<string[]> {
  const { rows } = await connection.query<{ verifier_key: string }>(
    'select verifier_key from checkpoint_keys order by first_tree_size, added_at, verifier_key',
    [],
  );
  return rows.map((row) => row.verifier_key);
}

/** The size of the tree the integrator has built (0 before its first batch). */
export async function integratedSize(connection: Queryable): Promise<number> {
  const { rows } = await connection.query<{ tree_size: string }>('select tree_size::text from merkle_integration', []);
  return rows.length === 0 ? 0 : Number(rows[0]!.tree_size);
}
