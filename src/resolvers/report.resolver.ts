import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { ApiErrorGroup, apiErrors } from '../reports/api-errors.report';
import { DailySummary, dailySummary } from '../reports/daily-summary.report';
import { ExecutionQuality, executionQuality } from '../reports/execution-quality.report';
import { FailureAnalysis, failureAnalysis } from '../reports/failure-analysis.report';
import { reportCsv, REPORTS } from '../reports/report-catalog';
import { StrategyPerformance, strategyPerformance } from '../reports/strategy-performance.report';
import { SymbolReport, symbolReport } from '../reports/symbol-report.report';
import { BlotterLine, tradeBlotter } from '../reports/trade-blotter.report';
import { DateTime } from '../graphql/date-time.scalar';
import { TimeZone } from '../graphql/time-zone.scalar';
import { DAYS_RANGE, type Instant } from '../time/instant';
import { TIME_ZONE_ARGUMENT } from './time-zone-argument';

const day = { description: `A day, YYYY-MM-DD, ${DAYS_RANGE}, of UTC or of timeZone.` };
const zone = TIME_ZONE_ARGUMENT;

/**
 * The operations guide's reports. Each is SQL kept in src/reports and shared
 * with the `auditgraph report` command; this file only maps arguments.
 */
@Authorized(Permission.readReports)
@Resolver()
export class ReportResolver {
  @Query(() => DailySummary, {
    description:
      "The morning check: one day's ingestion, decisions, executions, failure rate, stuck decisions and API errors.",
  })
  dailySummary(
    @Arg('date', () => String, day) date: string,
    @Arg('stuckAfterMinutes', () => Int, {
      defaultValue: 60,
      description: 'A pending decision older than this is stuck.',
    })
    stuckAfterMinutes: number,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<DailySummary> {
    return dailySummary(em, { date, stuckAfterMinutes, timeZone });
  }

  @Query(() => [StrategyPerformance], {
    description: 'Per strategy: decisions, outcomes and success rate, under 50% flagged.',
  })
  strategyPerformance(
    @Arg('from', () => String, day) from: string,
    @Arg('to', () => String, { description: `A day, YYYY-MM-DD, ${DAYS_RANGE}, of UTC or of timeZone; included.` })
    to: string,
    @Arg('strategy', () => String, { nullable: true }) strategy: string | null,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<StrategyPerformance[]> {
    return strategyPerformance(em, { from, to, strategy, timeZone });
  }

  @Query(() => FailureAnalysis, { description: 'Rejected executions by reason, raw message, strategy and symbol.' })
  failureAnalysis(
    @Arg('from', () => String, day) from: string,
    @Arg('to', () => String, day) to: string,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<FailureAnalysis> {
    return failureAnalysis(em, { from, to, timeZone });
  }

  @Query(() => SymbolReport, {
    description: 'Every decision, execution and position change of one symbol in the period.',
  })
  symbolReport(
    @Arg('symbol', () => String) symbol: string,
    @Arg('from', () => String, day) from: string,
    @Arg('to', () => String, day) to: string,
    @Arg('limit', () => Int, { nullable: true, description: 'Most rows per list (default 1000, at most 10000).' })
    limit: number | null,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<SymbolReport> {
    return symbolReport(em, { symbol, from, to, limit, timeZone });
  }

  @Query(() => [ExecutionQuality], {
    description:
      'Execution quality per strategy and symbol, over executions created in the period: latency from decision to ' +
      'order, the broker round trip and submission to fill, and slippage against the limit or reference price.',
  })
  executionQuality(
    @Arg('from', () => String, day) from: string,
    @Arg('to', () => String, day) to: string,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<ExecutionQuality[]> {
    return executionQuality(em, { from, to, timeZone });
  }

  @Query(() => [ApiErrorGroup], {
    description: 'API responses with status ≥ 400 in [since, until), by provider, endpoint and status.',
  })
  apiErrors(
    @Arg('since', () => DateTime) since: Instant,
    @Arg('until', () => DateTime) until: Instant,
    @Ctx() { em }: Context,
  ): Promise<ApiErrorGroup[]> {
    return apiErrors(em, { since, until });
  }

  @Query(() => [BlotterLine], { description: 'The daily trade blotter: every fill of the day, in time order.' })
  tradeBlotter(
    @Arg('date', () => String, day) date: string,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<BlotterLine[]> {
    return tradeBlotter(em, { date, timeZone });
  }

  @Query(() => String, { description: 'The daily trade blotter as CSV with a header row, as compliance files it.' })
  async tradeBlotterCsv(
    @Arg('date', () => String, day) date: string,
    @Arg('timeZone', () => TimeZone, zone) timeZone: string | null,
    @Ctx() { em }: Context,
  ): Promise<string> {
    return reportCsv(REPORTS['trade-blotter'], await tradeBlotter(em, { date, timeZone }));
  }
}
