import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { daysPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';
import { currentStatusSql } from '../queries/current-status';

/** The weekly review's line: strategies under 50% success need a look. */
export const SUCCESS_RATE_THRESHOLD = 0.5;

@ObjectType({ description: "One strategy's decisions in the period and how they ended." })
export class StrategyPerformance {
  @Field() strategy!: string;
  @Field(() => Int) decisions!: number;
  @Field(() => Int) executed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'executed / decisions that are no longer pending; null when none are.',
  })
  successRate!: number | null;
  @Field({ description: 'Success rate under 50%.' }) belowThreshold!: boolean;
}

type Row = {
  strategy: string;
  decisions: number;
  executed: number;
  failed: number;
  cancelled: number;
  pending: number;
};

/** One statement over the decisions made in the period: `(strategy, created_at)` or `(created_at, id)` index. */
export async function strategyPerformance(
  em: EntityManager,
  params: { from: string; to: string; strategy?: string | null; timeZone?: string | null },
): Promise<StrategyPerformance[]> {
  const { from, until } = daysPeriod(params.from, params.to, timeZoneOf(params.timeZone, 'timeZone'));
  const rows = await em.getConnection().execute<Row[]>(
    `select strategy, count(*)::int as decisions,
            count(*) filter (where status = 'executed')::int as executed,
            count(*) filter (where status = 'failed')::int as failed,
            count(*) filter (where status = 'cancelled')::int as cancelled,
            count(*) filter (where status = 'pending')::int as pending
       from (select strategy, ${currentStatusSql('trade_decisions', 'd')} as status from trade_decisions d
              where created_at >= ? and created_at < ? ${params.strategy ? 'and strategy = ?' : ''}) d
      group by strategy
      order by strategy`,
    [from, until, ...(params.strategy ? [params.strategy] : [])],
  );
  return rows.map((row) => {
    const decided = row.decisions - row.pending;
    const successRate = decided === 0 ? null : row.executed / decided;
    return { ...row, successRate, belowThreshold: successRate !== null && successRate < SUCCESS_RATE_THRESHOLD };
  });
}
