import type { StoredCheckpoint } from '../proof/checkpoint-reads';
import type { Consistency } from '../proof/consistency';
import type { RecordProof } from '../proof/record-proofs';
import type { CheckpointAnswer, ConsistencyProof, InclusionProof } from './types/proof.types';

// How the proof domain's values are answered: hashes in base64, as checkpoints write them.

const base64 = (hash: Buffer): string => hash.toString('base64');

export const checkpointAnswer = (checkpoint: StoredCheckpoint): CheckpointAnswer => ({
  treeSize: checkpoint.treeSize,
  rootHash: base64(checkpoint.root),
  time: checkpoint.time,
  keyName: checkpoint.keyName,
  note: checkpoint.note,
});

const orNull = (checkpoint: StoredCheckpoint | null) => (checkpoint ? checkpointAnswer(checkpoint) : null);

export const inclusionAnswer = (
  proof: RecordProof,
  treeSize: number,
  checkpoint: StoredCheckpoint | null,
): InclusionProof => ({
  leafIndex: proof.leafIndex,
  treeSize,
  leafHash: base64(proof.leafHash),
  hashes: proof.proof.map(base64),
  record: proof.canonical,
  checkpoint: orNull(checkpoint),
});

export const consistencyAnswer = (consistency: Consistency): ConsistencyProof => ({
  fromSize: consistency.from,
  toSize: consistency.to,
  fromRoot: base64(consistency.fromRoot),
  toRoot: base64(consistency.toRoot),
  hashes: consistency.proof.map(base64),
  fromCheckpoint: orNull(consistency.fromCheckpoint),
  toCheckpoint: orNull(consistency.toCheckpoint),
});
