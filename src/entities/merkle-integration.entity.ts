import { BigIntType, Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/**
 * The integrator's state, one row (the key can only be true): the tree's
 * size and root, and the PostgreSQL snapshot its last batch integrated up
 * to, so that the next batch takes exactly the rows committed since. The
 * one table the integrator updates; never deleted or truncated.
 */
@Entity({ tableName: 'merkle_integration' })
@Check({ name: 'merkle_integration_one_row', expression: 'singleton = true' })
export class MerkleIntegration {
  @PrimaryKey({ type: 'boolean', autoincrement: false, default: true })
  singleton: boolean = true;

  @Property({ type: new BigIntType('number') })
  treeSize!: number;

  /** The RFC 9162 root of the first `treeSize` leaves (SHA-256 of nothing for the empty tree). */
  @Property({ type: 'bytea' })
  root!: Buffer;

  /** pg_current_snapshot() of the last batch, as text (`xmin:xmax:xip,…`). */
  @Property({ type: 'string', columnType: 'pg_snapshot' })
  snapshot!: string;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  integratedAt: Instant = instantOf(new Date());
}
