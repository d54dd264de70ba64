import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { Field, InputType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { ExecutionStatus, type TradeExecution } from '../../entities/trade-execution.entity';
import { timeWindow } from '../../graphql/arguments';

@InputType({ description: 'Filters for executions; all given conditions must hold.' })
export class TradeExecutionFilter {
  @Field(() => ExecutionStatus, {
    nullable: true,
    description: 'The current status: the latest status change appended, else the status written.',
  })
  status?: ExecutionStatus | null;

  @Field(() => String, { nullable: true, description: 'Symbol of the decision the execution carried out.' })
  symbol?: string | null;

  @Field(() => String, { nullable: true, description: 'Strategy of the decision the execution carried out.' })
  strategy?: string | null;

  @Field(() => DateTime, { nullable: true })
  createdFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true })
  createdTo?: Instant | null;
}

export function tradeExecutionWhere(filter: TradeExecutionFilter | null | undefined): FilterQuery<TradeExecution> {
  if (!filter) return {};
  const decision = {
    ...(filter.symbol != null ? { symbol: filter.symbol } : {}),
    ...(filter.strategy != null ? { strategy: filter.strategy } : {}),
  };
  return {
    ...(Object.keys(decision).length > 0 ? { tradeDecision: decision } : {}),
    ...timeWindow('createdAt', filter.createdFrom, filter.createdTo, 'created'),
  };
}
