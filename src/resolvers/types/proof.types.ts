import { Field, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/date-time.scalar';
import { SafeInt } from '../../graphql/safe-int.scalar';
import type { Instant } from '../../time/instant';

const BASE64 = 'base64 (standard, padded), as checkpoints write hashes';

@ObjectType('Checkpoint', {
  description:
    'A signed checkpoint of the Merkle tree: a C2SP tlog-checkpoint in a signed note (Ed25519), with a `time` line.',
})
export class CheckpointAnswer {
  @Field(() => SafeInt, { description: 'Leaves in the tree it signs.' })
  treeSize!: number;

  @Field({ description: `The RFC 9162 root of those leaves, ${BASE64}.` })
  rootHash!: string;

  @Field(() => DateTime, { description: 'Its `time` line: the instant it speaks for ("the checkpoint of day D").' })
  time!: Instant;

  @Field({ description: 'The name of the key that signed it (its public key: `auditgraph checkpoint publish`).' })
  keyName!: string;

  @Field({ description: 'The signed note, byte for byte as published: verify this text, not the fields above.' })
  note!: string;
}

@ObjectType({ description: 'RFC 9162 §2.1.3: a record is leaf `leafIndex` of the tree of `treeSize` leaves.' })
export class InclusionProof {
  @Field(() => SafeInt)
  leafIndex!: number;

  @Field(() => SafeInt)
  treeSize!: number;

  @Field({ description: `SHA-256(0x00 ‖ the record's canonical JSON), ${BASE64}.` })
  leafHash!: string;

  @Field(() => [String], { description: `The audit path, leaf side first, ${BASE64}.` })
  hashes!: string[];

  @Field({
    description:
      'The record\'s canonical JSON (RFC 8785) as its row reads now: the leaf\'s bytes (README "Proofs"). ' +
      'Recompute it from the record as this API answers it rather than trust it.',
  })
  record!: string;

  @Field(() => CheckpointAnswer, { nullable: true, description: 'The checkpoint signed at `treeSize`, if one was.' })
  checkpoint!: CheckpointAnswer | null;
}

@ObjectType({ description: 'RFC 9162 §2.1.4: the tree of `fromSize` leaves is a prefix of the tree of `toSize`.' })
export class ConsistencyProof {
  @Field(() => SafeInt)
  fromSize!: number;

  @Field(() => SafeInt)
  toSize!: number;

  @Field({ description: `The root of the first \`fromSize\` leaves, ${BASE64}.` })
  fromRoot!: string;

  @Field({ description: `The root of the first \`toSize\` leaves, ${BASE64}.` })
  toRoot!: string;

  @Field(() => [String], { description: `The proof, ${BASE64}; empty when a size is 0 or the sizes are equal.` })
  hashes!: string[];

  @Field(() => CheckpointAnswer, { nullable: true, description: 'The checkpoint signed at `fromSize`, if one was.' })
  fromCheckpoint!: CheckpointAnswer | null;

  @Field(() => CheckpointAnswer, { nullable: true, description: 'The checkpoint signed at `toSize`, if one was.' })
  toCheckpoint!: CheckpointAnswer | null;
}
