import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant } from '../time/instant';
import { InstantType } from './instant.type';

/** A signed checkpoint (C2SP tlog-checkpoint in a signed note) of the tree at one size. Append-only. */
@Entity({ tableName: 'merkle_checkpoints' })
export class MerkleCheckpoint {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  treeSize!: number;

  @Property({ type: 'bytea' })
  root!: Buffer;

  /** The checkpoint's `time` extension line: the instant it speaks for. */
  @Property({ type: InstantType })
  signedAt!: Instant;

  /** The name of the key that signed it (its verifier key is in checkpoint_keys). */
  @Property({ type: 'text' })
  keyName!: string;

  /** The signed note, exactly as published. */
  @Property({ type: 'text' })
  note!: string;
}
