import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DecisionStatus } from '../entities/trade-decision.entity';
import { ExecutionStatus } from '../entities/trade-execution.entity';
import { BadInputError } from '../base/errors';
import { dayPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';
import { currentStatusSql, unchangedStatusSql } from '../queries/current-status';
import { DateTime } from '../graphql/date-time.scalar';
import { addMilliseconds, earlierOf, type Instant, instantFromDatabase, instantOf } from '../time/instant';

/** The runbook's alert level: more than 30% of a day's decisions failed. */
export const FAILURE_RATE_THRESHOLD = 0.3;

@ObjectType({ description: 'How many records had one status.' })
export class StatusCount {
  @Field() status!: string;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class IngestionSummary {
  @Field(() => Int, { description: 'Runs started that day.' }) runs!: number;
  @Field(() => Int) recordsFetched!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType()
export class StuckPendingDecision {
  @Field() decisionId!: string;
  @Field() strategy!: string;
  @Field() symbol!: string;
  @Field(() => DateTime) createdAt!: Instant;
}

@ObjectType({
  description: "The morning check of one day (UTC unless a timeZone was given): the operations guide's daily summary.",
})
export class DailySummary {
  @Field({ description: 'The day, YYYY-MM-DD, of UTC or of the timeZone given.' }) date!: string;
  @Field(() => IngestionSummary) ingestion!: IngestionSummary;
  @Field(() => [StatusCount], { description: 'Decisions made that day, every status listed.' })
  decisionsByStatus!: StatusCount[];
  @Field(() => [StatusCount], { description: 'Executions submitted that day, every status listed.' })
  executionsByStatus!: StatusCount[];
  @Field(() => Float, { nullable: true, description: "failed / all of the day's decisions; null with no decisions." })
  failureRate!: number | null;
  @Field(() => Float) failureRateThreshold!: number;
  @Field({ description: 'The failure rate is over the threshold (the runbook alert).' }) failureRateExceeded!: boolean;
  @Field(() => Int) stuckThresholdMinutes!: number;
  @Field(() => Int, {
    description: 'Decisions still pending longer than the threshold at the end of the day (or now, for today).',
  })
  stuckPendingCount!: number;
  @Field(() => [StuckPendingDecision], { description: 'The 20 oldest of them.' })
  stuckPendingOldest!: StuckPendingDecision[];
  @Field(() => Int, { description: 'API responses with a 4xx status that day.' }) apiClientErrors!: number;
  @Field(() => Int, { description: 'API responses with a 5xx status that day.' }) apiServerErrors!: number;
}

type Row = {
  ingestion: IngestionSummary;
  decisions: Record<string, number>;
  executions: Record<string, number>;
  stuck_count: number;
  stuck_oldest: { decisionId: string; strategy: string; symbol: string; createdAt: string }[] | null;
  client_errors: number;
  server_errors: number;
};

const allStatuses = (values: string[], counts: Record<string, number>) =>
  values.map((status) => ({ status, count: counts[status] ?? 0 }));

/**
 * One statement; every part is a range scan on a `created_at` or `(status, created_at)` index;
 * statuses are current (see current-status).
 */
export async function dailySummary(
  em: EntityManager,
  params: { date: string; stuckAfterMinutes?: number; timeZone?: string | null },
): Promise<DailySummary> {
  const { from, until } = dayPeriod(params.date, 'date', timeZoneOf(params.timeZone, 'timeZone'));
  const stuckAfterMinutes = params.stuckAfterMinutes ?? 60;
  if (!Number.isInteger(stuckAfterMinutes) || stuckAfterMinutes < 1 || stuckAfterMinutes > 43_200) {
    throw new BadInputError(
      '`stuckAfterMinutes` must be a whole number of minutes from 1 to 43200 (30 days)',
      'stuckAfterMinutes',
    );
  }
  const now = instantOf(new Date());
  const stuckBefore = addMilliseconds(earlierOf(until, now), -stuckAfterMinutes * 60_000);
  // Values as parameters in every branch (not one shared CTE): each range is then planned
  // with its real bounds and goes to its index.
  const { rows } = (await em
    .getConnection()
    .getKnex()
    .raw(
      `select
       (select json_build_object('runs', count(*), 'recordsFetched', coalesce(sum(records_fetched), 0),
                                 'failed', count(*) filter (
                                   where ${currentStatusSql('data_ingestion_runs', 'r')} = 'failed'))
          from data_ingestion_runs r where created_at >= :from and created_at < :until) as ingestion,
       (select coalesce(json_object_agg(status, n), '{}')
          from (select ${currentStatusSql('trade_decisions', 'd')} as status, count(*) as n
                  from trade_decisions d where created_at >= :from and created_at < :until
                 group by 1) s) as decisions,
       (select coalesce(json_object_agg(status, n), '{}')
          from (select ${currentStatusSql('trade_executions', 'e')} as status, count(*) as n
                  from trade_executions e where created_at >= :from and created_at < :until
                 group by 1) s) as executions,
       (select count(*)::int from trade_decisions d
         where status = 'pending' and created_at < :stuck_before
           and ${unchangedStatusSql('trade_decisions', 'd')}) as stuck_count,
       (select json_agg(json_build_object('decisionId', decision_id, 'strategy', strategy, 'symbol', symbol,
                                          'createdAt', created_at)
                        order by created_at, id)
          from (select * from trade_decisions d
                 where status = 'pending' and created_at < :stuck_before
                   and ${unchangedStatusSql('trade_decisions', 'd')}
                 order by created_at, id limit 20) oldest) as stuck_oldest,
       (select count(*)::int from api_payloads
         where created_at >= :from and created_at < :until and direction = 'response'
           and http_status between 400 and 499) as client_errors,
       (select count(*)::int from api_payloads
         where created_at >= :from and created_at < :until and direction = 'response'
           and http_status >= 500) as server_errors`,
      { from, until, stuck_before: stuckBefore },
    )) as { rows: Row[] };
  const row = rows[0];
  const decisions = allStatuses(Object.values(DecisionStatus), row!.decisions);
  const total = decisions.reduce((sum, entry) => sum + entry.count, 0);
  const failureRate = total === 0 ? null : (row!.decisions.failed ?? 0) / total;
  return {
    date: params.date,
    ingestion: row!.ingestion,
    decisionsByStatus: decisions,
    executionsByStatus: allStatuses(Object.values(ExecutionStatus), row!.executions),
    failureRate,
    failureRateThreshold: FAILURE_RATE_THRESHOLD,
    failureRateExceeded: failureRate !== null && failureRate > FAILURE_RATE_THRESHOLD,
    stuckThresholdMinutes: stuckAfterMinutes,
    stuckPendingCount: row!.stuck_count,
    stuckPendingOldest: (row!.stuck_oldest ?? []).map((decision) => ({
      ...decision,
      createdAt: instantFromDatabase(decision.createdAt),
    })),
    apiClientErrors: row!.client_errors,
    apiServerErrors: row!.server_errors,
  };
}
