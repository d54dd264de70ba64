import { Entity, OptionalProps, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLDateTime } from 'graphql-scalars';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node.interface';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Decimal } from '../graphql/decimal.scalar';

export enum PositionStatus {
  open = 'open',
  closed = 'closed',
}
registerEnumType(PositionStatus, { name: 'PositionStatus' });

/** A holding in one symbol for one account, built by executions. */
@ObjectType({ implements: Node, description: 'A holding in one symbol for one account, built by executions.' })
@Entity({ tableName: 'positions' })
@Index({ properties: ['openedAt', 'id'] })
@Index({ properties: ['symbol', 'openedAt'] })
@Index({ properties: ['account', 'openedAt'] })
export class Position {
  // Derived, never written: MikroORM must not ask for them in em.create().
  [OptionalProps]?: 'nodeId' | 'databaseId';

  /** The row id (bigint, as a string); GraphQL exposes it as `databaseId`. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => ID, { name: 'id', description: 'Opaque global id (Relay); pass it to node(id:) or to this type\'s lookup.' })
  get nodeId(): string {
    return toGlobalId('Position', this.id);
  }

  @Field({ description: 'The row id in PostgreSQL, for SQL and scripts.' })
  get databaseId(): string {
    return this.id;
  }

  @Field()
  @Property({ type: 'text' })
  account!: string;

  @Field()
  @Property({ type: 'text' })
  symbol!: string;

  @Field(() => Decimal, { description: 'Signed: negative for a short position.' })
  @Property({ type: 'decimal', precision: 20, scale: 8 })
  quantity!: string;

  @Field(() => Decimal, { nullable: true })
  @Property({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  avgCost: string | null = null;

  @Field(() => PositionStatus)
  @Enum({ items: () => PositionStatus, type: 'text' })
  status!: PositionStatus;

  @Field(() => GraphQLDateTime)
  @Property({ type: 'timestamptz' })
  openedAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  closedAt: Date | null = null;
}
