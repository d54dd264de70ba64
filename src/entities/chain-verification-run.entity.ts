import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/**
 * One run of `auditgraph verify` that found the record intact: the tree it
 * verified (size and root) and whether every record was re-encoded (`full`).
 * The next default run re-encodes only the leaves integrated since the
 * newest of these. Appended by the CLI, never changed.
 */
@Entity({ tableName: 'chain_verifications' })
export class ChainVerificationRun {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  treeSize!: number;

  @Property({ type: 'bytea' })
  root!: Buffer;

  @Property({ type: 'boolean' })
  full!: boolean;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  verifiedAt: Instant = instantOf(new Date());
}
