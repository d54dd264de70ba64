import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { Field, InputType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { type Position, PositionStatus } from '../../entities/position.entity';
import { timeWindow } from '../../graphql/arguments';

@InputType({ description: 'Filters for positions; all given conditions must hold.' })
export class PositionFilter {
  @Field(() => String, { nullable: true })
  account?: string | null;

  @Field(() => String, { nullable: true })
  symbol?: string | null;

  @Field(() => PositionStatus, {
    nullable: true,
    description: 'The current status: the latest status change appended, else the status written.',
  })
  status?: PositionStatus | null;

  @Field(() => DateTime, { nullable: true, description: 'Opened at or after this instant.' })
  openedFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true, description: 'Opened before this instant.' })
  openedTo?: Instant | null;
}

export function positionWhere(filter: PositionFilter | null | undefined): FilterQuery<Position> {
  if (!filter) return {};
  return {
    ...(filter.account != null ? { account: filter.account } : {}),
    ...(filter.symbol != null ? { symbol: filter.symbol } : {}),
    ...timeWindow('openedAt', filter.openedFrom, filter.openedTo, 'opened'),
  };
}
