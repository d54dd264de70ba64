import type { Queryable } from '../integrator/pg-hash-store';
import { checkpointAt, checkpointsAfter, newestCheckpoint, type StoredCheckpoint } from '../proof/checkpoint-reads';
import { proveConsistency } from '../proof/consistency';
import { NoCheckpointError } from '../proof/proof-errors';
import { CONSISTENCY_FORMAT } from '../verifier/compliance-package';
import type { Period } from './period';

export type PackageCheckpoints = {
  first: StoredCheckpoint;
  last: StoredCheckpoint;
  /** `checkpoints/consistency.json`: the RFC 9162 proof that the first tree is a prefix of the last. */
  consistencyJson: string;
};

/**
 * The checkpoints that cover a period: the first is the log as it stood when
 * the period began (the newest checkpoint signed at or before its start; the
 * oldest checkpoint when none is that old), the last is the log as it stands
 * now (the newest), so every record of the period the integrator has taken in
 * is in the last tree. With the consistency proof between them, an examiner
 * sees that the log of the period's start was only appended to since.
 */
export async function packageCheckpoints(connection: Queryable, period: Period): Promise<PackageCheckpoints> {
  const last = await newestCheckpoint(connection);
  if (last === null)
    throw new NoCheckpointError(
      'no checkpoint is signed yet: a package is signed against one (run `auditgraph integrate` with a checkpoint key)',
    );
  const first = (await checkpointAt(connection, period.from)) ?? (await checkpointsAfter(connection, 0, 1))[0]!;
  const consistency = await proveConsistency(connection, first.treeSize, last.treeSize);
  const consistencyJson = `${JSON.stringify(
    {
      format: CONSISTENCY_FORMAT,
      from: first.treeSize,
      to: last.treeSize,
      proof: consistency.proof.map((hash) => hash.toString('base64')),
    },
    null,
    2,
  )}\n`;
  return { first, last, consistencyJson };
}
