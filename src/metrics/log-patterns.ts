import type { EntityManager } from '@mikro-orm/postgresql';
import { apiErrors } from '../reports/api-errors.report';
import { addMilliseconds, type Instant } from '../time/instant';

/** The logging spec's `slow_api` alert: a call answered in more than this. */
export const SLOW_API_CALL_MS = 1000;
/** The logging spec's repeated errors: more than 5 of one kind in this window. */
export const REPEATED_ERRORS_WINDOW_MS = 5 * 60_000;

export type LogPatterns = {
  tradeFailures: number;
  circuitBreakers: number;
  slowApiCalls: number;
  mostRepeatedApiError: number;
};

/**
 * The logging spec's pattern alerts (trade failures, circuit breakers, slow
 * API calls, repeated errors) as counts over the record since `since` — each
 * a range scan of a `created_at`/`occurred_at` index, so a scrape costs what
 * the hour wrote, not the table. A trade failure is a decision written
 * failed, one whose status changed to failed, or a producer's `trade_failed`.
 */
export async function logPatterns(em: EntityManager, since: Instant, now: Instant): Promise<LogPatterns> {
  const [[counts], repeatedGroups] = await Promise.all([
    em.getConnection().execute<{ trade_failures: number; circuit_breakers: number; slow_api_calls: number }[]>(
      `select (select count(*) from audit_events
                where occurred_at >= ?
                  and ((event = 'status_changed' and subject_table = 'trade_decisions' and event_data ->> 'to' = 'failed')
                       or (log_type = 'TRADE' and event = 'trade_failed')))::int
              + (select count(*) from trade_decisions where status = 'failed' and created_at >= ?)::int
                as trade_failures,
              (select count(*) from audit_events
                where occurred_at >= ? and log_type = 'RISK' and event = 'circuit_breaker_triggered')::int
                as circuit_breakers,
              (select count(*) from api_payloads
                where created_at >= ? and direction = 'response' and latency_ms > ?)::int
                as slow_api_calls`,
      [since, since, since, since, SLOW_API_CALL_MS],
    ),
    apiErrors(em, { since: addMilliseconds(now, -REPEATED_ERRORS_WINDOW_MS), until: now }),
  ]);
  return {
    tradeFailures: counts!.trade_failures,
    circuitBreakers: counts!.circuit_breakers,
    slowApiCalls: counts!.slow_api_calls,
    mostRepeatedApiError: Math.max(0, ...repeatedGroups.map((group) => group.count)),
  };
}
