import { BadInputError } from '../base/errors';
import { pgHashStore, type Queryable } from '../integrator/pg-hash-store';
import { consistencyProof, rootAt } from '../merkle/proofs';
import { checkpointsOfSizes, integratedSize, type StoredCheckpoint } from './checkpoint-reads';
import { TreeSizeBeyondTreeError } from './proof-errors';

/** RFC 9162 §2.1.4: the tree of `from` leaves is a prefix of the tree of `to` leaves. */
export type Consistency = {
  from: number;
  to: number;
  fromRoot: Buffer;
  toRoot: Buffer;
  proof: Buffer[];
  /** The signed checkpoints of the two sizes, where signed: the roots to trust are theirs. */
  fromCheckpoint: StoredCheckpoint | null;
  toCheckpoint: StoredCheckpoint | null;
};

/** The consistency proof between two sizes of the tree built so far (0 ≤ from ≤ to ≤ its size). */
export async function proveConsistency(connection: Queryable, from: number, to: number): Promise<Consistency> {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new BadInputError(`\`${name}\` must be a tree size from 0; got ${value}`, name);
  }
  if (from > to) throw new BadInputError(`\`from\` (${from}) is larger than \`to\` (${to})`, 'from');
  const built = await integratedSize(connection);
  if (to > built) throw new TreeSizeBeyondTreeError(`tree size ${to} is beyond the tree, which has ${built} leaves`);
  const reader = pgHashStore(connection);
  const [proof, fromRoot, toRoot, checkpoints] = [
    await consistencyProof(reader, from, to),
    await rootAt(reader, from),
    await rootAt(reader, to),
    await checkpointsOfSizes(connection, [from, to]),
  ];
  return {
    from,
    to,
    fromRoot,
    toRoot,
    proof,
    fromCheckpoint: checkpoints.get(from) ?? null,
    toCheckpoint: checkpoints.get(to) ?? null,
  };
}
