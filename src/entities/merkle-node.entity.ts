import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The hash of one complete aligned subtree of level ≥ 1, covering leaves
 * [index·2^level, (index+1)·2^level): what makes a proof O(log n) reads.
 * Level 0 is merkle_leaves.leaf_hash. Append-only: a complete subtree never changes.
 */
@Entity({ tableName: 'merkle_nodes' })
export class MerkleNode {
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  level!: number;

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  nodeIndex!: number;

  @Property({ type: 'bytea' })
  hash!: Buffer;
}
