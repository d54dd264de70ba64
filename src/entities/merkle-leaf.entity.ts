import { BigIntType, Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';

/**
 * One leaf of the Merkle tree (RFC 9162): a record, numbered by the
 * integrator in commit order. `source` is the record's table, `recordKey`
 * its key there (the id; `<decision id>:<payload id>` for decision_inputs;
 * seq for audit_events; the writer transaction's `recorded_xid` for a batch
 * of query_audit_log), so a record has at most one leaf. Append-only.
 */
@Entity({ tableName: 'merkle_leaves' })
@Unique({ properties: ['source', 'recordKey'] })
export class MerkleLeaf {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  leafIndex!: number;

  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'text' })
  recordKey!: string;

  /** SHA-256(0x00 ‖ the record's canonical bytes). */
  @Property({ type: 'bytea' })
  leafHash!: Buffer;

  @Property({ type: InstantType, defaultRaw: 'now()' })
  integratedAt: Instant = instantOf(new Date());
}
