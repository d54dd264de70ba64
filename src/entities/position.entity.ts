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

/**
 * A holding in one symbol for one account, built by executions: one lot,
 * from the fill that opens it to the fill that brings it back to zero (a
 * fill through zero closes it and opens the next). Rows never change, so
 * the stored columns are the lot's opening state — `quantity` as the
 * trading log stated it after the opening fill, `avg_cost` that fill's
 * price, `status` open, `closed_at` null — and the API answers what it is
 * now, derived from its executions (src/sql/position-lot.ts; `closedAt`
 * is the time of the fill that brought it to zero); the
 * integrity audit checks that the two agree.
 */
@ObjectType({
  implements: Node,
  description:
    'A holding in one symbol for one account, built by executions: ' +
    'opened by a fill, closed by the fill that brings it back to zero.',
})
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

  @Field(() => Decimal, {
    description: 'Signed (negative for a short position): the signed sum of its fills; as recorded when it has none.',
  })
  @Property({ type: 'decimal', precision: 20, scale: 8 })
  quantity!: string;

  @Field(() => Decimal, {
    nullable: true,
    description:
      'Average cost per unit, from its fills in order: ' +
      'adding updates the weighted average (rounded half up to 8 decimals), reducing keeps it.',
  })
  @Property({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  avgCost: string | null = null;

  @Field(() => PositionStatus, {
    description:
      'Current status: the latest status_changed event about this record, ' +
      'else closed when its fills bring it to zero and open while they do not, ' +
      'else the status it was written with.',
  })
  @Enum({ items: () => PositionStatus, type: 'text' })
  status!: PositionStatus;

  @Field(() => DateTime)
  @Property({ type: InstantType })
  openedAt!: Instant;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  closedAt: Instant | null = null;

  @Field(() => String, {
    nullable: true,
    description: "The producer's id for the position, by which executions link to it; recording it twice is a no-op.",
  })
  @Property({ type: 'text', nullable: true, unique: true })
  externalId: string | null = null;
}
