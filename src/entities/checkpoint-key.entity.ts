import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/**
 * A public key that has signed checkpoints, from the first tree size it
 * signed: a rotated key stays listed, so older checkpoints stay verifiable.
 * Private keys are never stored. Append-only.
 */
@Entity({ tableName: 'checkpoint_keys' })
export class CheckpointKey {
  /** The C2SP note verifier key text, `<name>+<hex key id>+<base64 key>`. */
  @PrimaryKey({ type: 'text' })
  verifierKey!: string;

  @Property({ type: 'text' })
  keyName!: string;

  @Property({ type: new BigIntType('number') })
  firstTreeSize!: number;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  addedAt: Instant = instantOf(new Date());
}
