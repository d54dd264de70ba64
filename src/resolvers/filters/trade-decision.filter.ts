import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { JsonFilter } from '../../graphql/json-filter';
import { Field, InputType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { DecisionStatus, type TradeDecision, TradeSide } from '../../entities/trade-decision.entity';
import { timeWindow } from '../../graphql/arguments';

@InputType({ description: 'Filters for decisions; all given conditions must hold.' })
export class TradeDecisionFilter {
  @Field(() => String, { nullable: true, description: 'e.g. NVDA' })
  symbol?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. CongressionalTradingStrategy' })
  strategy?: string | null;

  @Field(() => DecisionStatus, {
    nullable: true,
    description: 'The current status: the latest status change appended, else the status written.',
  })
  status?: DecisionStatus | null;

  @Field(() => TradeSide, { nullable: true })
  side?: TradeSide | null;

  @Field(() => String, { nullable: true })
  correlationId?: string | null;

  @Field(() => DateTime, { nullable: true })
  createdFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true })
  createdTo?: Instant | null;

  @Field(() => JsonFilter, { nullable: true, description: 'Conditions on the decision rationale (GIN-indexed).' })
  rationale?: JsonFilter | null;
}

export function tradeDecisionWhere(filter: TradeDecisionFilter | null | undefined): FilterQuery<TradeDecision> {
  if (!filter) return {};
  return {
    ...(filter.symbol != null ? { symbol: filter.symbol } : {}),
    ...(filter.strategy != null ? { strategy: filter.strategy } : {}),
    ...(filter.side != null ? { side: filter.side } : {}),
    ...(filter.correlationId != null ? { correlationId: filter.correlationId } : {}),
    ...timeWindow('createdAt', filter.createdFrom, filter.createdTo, 'created'),
  };
}
