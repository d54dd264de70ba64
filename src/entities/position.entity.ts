import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant } from '../time/instant';
import { InstantType } from './instant.type';
import { Node } from '../graphql/node.interface';
import { LineageRecord } from './lineage-record';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
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
export class Position extends LineageRecord {
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

  @Field(() => PositionStatus, { description: 'Current status: the latest status_changed event about this record, else the status it was written with.' })
  @Enum({ items: () => PositionStatus, type: 'text' })
  status!: PositionStatus;

  @Field(() => DateTime)
  @Property({ type: InstantType })
  openedAt!: Instant;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  closedAt: Instant | null = null;

  @Field(() => String, { nullable: true, description: "The producer's id for the position, by which executions link to it; recording it twice is a no-op." })
  @Property({ type: 'text', nullable: true, unique: true })
  externalId: string | null = null;
}
