import { signCheckpoint } from '../checkpoint/checkpoint-note';
import type { NoteSigner } from '../checkpoint/note-keys';
import { instantFromDatabase } from '../time/instant';
import { INTEGRATOR_LOCK } from '../database/advisory-locks';
import type { Queryable } from './pg-hash-store';

/** How checkpoints are signed: the key, the origin line, and at most one per `intervalS` seconds. */
export type CheckpointSigning = { signer: NoteSigner; origin: string; intervalS: number };

/**
 * The tree now and the newest checkpoint, with the database's clock (to the
 * microsecond: the checkpoint's time line).
 */
const STATE = `
  select i.tree_size::text as size, i.root, clock_timestamp()::text as now,
         c.tree_size::text as signed_size, extract(epoch from clock_timestamp() - c.signed_at)::float8 as age_s
    from merkle_integration i
    left join lateral (select tree_size, signed_at from merkle_checkpoints order by tree_size desc limit 1) c on true`;

/**
 * Signs a checkpoint of the tree as it stands, when one is due: the tree has
 * grown past the newest checkpoint, and that one is at least `intervalS` old
 * (none yet: due). Under the integrator's lock, so no batch moves the tree
 * meanwhile and two processes never sign the same size. The note goes to
 * merkle_checkpoints, the signer's verifier key to checkpoint_keys (once:
 * every key that ever signed stays listed, so older checkpoints verify after
 * a rotation). Returns the size signed, or null.
 */
export async function signCheckpointIfDue(
  connection: Queryable,
  { signer, origin, intervalS }: CheckpointSigning,
): Promise<number | null> {
  await connection.query('begin');
  try {
    const { rows: locked } = await connection.query<{ locked: boolean }>(
      'select pg_try_advisory_xact_lock($1) as locked',
      [INTEGRATOR_LOCK],
    );
    const { rows } = locked[0]!.locked
      ? await connection.query<{ size: string; root: Buffer; now: string; signed_size: string | null; age_s: number }>(
          STATE,
        )
      : { rows: [] };
    const state = rows[0];
    const size = Number(state?.size ?? 0);
    const due =
      state !== undefined &&
      size > 0 &&
      (state.signed_size === null || (size > Number(state.signed_size) && state.age_s >= intervalS));
    if (!due) {
      await connection.query('rollback');
      return null;
    }
    const time = instantFromDatabase(state.now);
    const note = signCheckpoint({ origin, size, root: state.root, time }, signer);
    await connection.query(
      `insert into merkle_checkpoints (tree_size, root, signed_at, key_name, note) values ($1, $2, $3, $4, $5)`,
      [String(size), state.root, time, signer.name, note],
    );
    await connection.query(
      `insert into checkpoint_keys (verifier_key, key_name, first_tree_size) values ($1, $2, $3)
         on conflict (verifier_key) do nothing`,
      [signer.verifierKey, signer.name, String(size)],
    );
    await connection.query('commit');
    return size;
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    throw error;
  }
}
