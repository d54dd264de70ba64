import type { Queryable } from '../integrator/pg-hash-store';
import { stringifyExactJson } from '../json/exact-json';
import { newestCheckpoint, type StoredCheckpoint } from './checkpoint-reads';
import { NoCheckpointError } from './proof-errors';
import { proofTarget, proveRecords, type RecordProof } from './record-proofs';
import type { RecordRef } from './record-ref';
import { withCorrections } from './correction-refs';
// The bundle format's name, its first field: the verifier's, so a bundle `prove` writes is one it reads.
import { BUNDLE_FORMAT } from '../verifier/bundle';

export type ProofBundle = { text: string; checkpoint: StoredCheckpoint; proofs: RecordProof[] };

/**
 * The self-contained bundle of `refs`: one signed checkpoint (the newest, or
 * the one of `treeSize`) and, per record (and per correction of one of them
 * in that tree), the canonical record, its leaf index and its inclusion proof
 * in that checkpoint's tree. Everything an
 * examiner needs with the verifier key, and nothing else.
 */
export async function proofBundle(
  connection: Queryable,
  refs: readonly RecordRef[],
  treeSize: number | null,
): Promise<ProofBundle> {
  const checkpoint = await bundleCheckpoint(connection, treeSize);
  const proofs = await proveRecords(
    connection,
    await withCorrections(connection, refs, checkpoint.treeSize),
    checkpoint.treeSize,
  );
  const bundle = {
    format: BUNDLE_FORMAT,
    checkpoint: checkpoint.note,
    entries: proofs.map(({ record, leafIndex, proof }) => ({
      record,
      leafIndex,
      inclusionProof: proof.map((hash) => hash.toString('base64')),
    })),
  };
  return { text: `${stringifyExactJson(bundle, 2)}\n`, checkpoint, proofs };
}

/** A bundle proves against a signed checkpoint: the newest, or the one signed at exactly `treeSize`. */
async function bundleCheckpoint(connection: Queryable, treeSize: number | null): Promise<StoredCheckpoint> {
  if (treeSize === null) {
    return (
      (await newestCheckpoint(connection)) ??
      throwNoCheckpoint('no checkpoint has been signed yet: run `auditgraph integrate` with a checkpoint key')
    );
  }
  const { checkpoint } = await proofTarget(connection, treeSize);
  return (
    checkpoint ??
    throwNoCheckpoint(
      `no checkpoint was signed at tree size ${treeSize}: a bundle proves against a signed one (see \`auditgraph checkpoint show\`)`,
    )
  );
}

function throwNoCheckpoint(message: string): never {
  throw new NoCheckpointError(message);
}
