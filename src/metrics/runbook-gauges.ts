import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { apiErrors } from '../reports/api-errors.report';
import { dailySummary } from '../reports/daily-summary.report';
import { metricsRegistry } from './registry';
import { addMilliseconds, instantFromDatabase, instantOf, millisecondsOf } from '../time/instant';
import { CachedReading, FRESH_READING_MS } from './cached-reading';
import { logPatterns, type LogPatterns, REPEATED_ERRORS_WINDOW_MS, SLOW_API_CALL_MS } from './log-patterns';

/** Longer than the queries take at scale 100, shorter than a scrape timeout. */
const REFRESH_TIMEOUT_MS = 3_000;
const HOUR_MS = 3_600_000;

type Snapshot = LogPatterns & {
  lastIngestionSeconds: number;
  failureRateToday: number;
  apiErrorsLastHour: number;
  pendingOverAnHour: number;
};

/**
 * The runbook's alert inputs, from the same report SQL as `dailySummary` and
 * `apiErrors` (so an alert and the report an on-call engineer runs next agree),
 * the time of the last ingestion run (one index lookup), and the logging
 * spec's patterns over the last hour.
 */
async function takeSnapshot(orm: Orm): Promise<Snapshot> {
  const em = orm.em.fork();
  const now = instantOf(new Date());
  const [summary, errorGroups, [last], patterns] = await Promise.all([
    dailySummary(em, { date: now.slice(0, 10), stuckAfterMinutes: 60 }),
    apiErrors(em, { since: addMilliseconds(now, -HOUR_MS), until: now }),
    em.getConnection().execute<{ at: string | null }[]>('select max(created_at) as at from data_ingestion_runs'),
    logPatterns(em, addMilliseconds(now, -HOUR_MS), now),
  ]);
  return {
    ...patterns,
    // No run ever: the epoch, so the "no ingestion for 24 h" alert fires.
    lastIngestionSeconds: last?.at ? millisecondsOf(instantFromDatabase(last.at)) / 1000 : 0,
    failureRateToday: summary.failureRate ?? Number.NaN,
    apiErrorsLastHour: errorGroups.reduce((sum, group) => sum + group.count, 0),
    pendingOverAnHour: summary.stuckPendingCount,
  };
}

const snapshot = new CachedReading('the runbook gauges query', FRESH_READING_MS, REFRESH_TIMEOUT_MS, takeSnapshot);

/** The gateway's database, read by the gauges below (one gateway per process); drops the cached values. */
export function useRunbookGaugeSource(orm: Orm): void {
  snapshot.use(orm);
}

function runbookGauge(name: string, help: string, pick: (snapshot: Snapshot) => number) {
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      const current = (await snapshot.current())?.value;
      if (current) this.set(pick(current));
    },
  });
}

// Base units, `_ratio`, and times as Unix timestamps, as Prometheus names things: the rules subtract from time().
runbookGauge(
  'auditgraph_ingestion_last_run_timestamp_seconds',
  'When the newest data ingestion run was recorded, in Unix seconds (0 when none ever was).',
  (s) => s.lastIngestionSeconds,
);
runbookGauge(
  'auditgraph_decisions_failed_ratio_today',
  "Failed / all of today's trade decisions (UTC day); NaN before the first.",
  (s) => s.failureRateToday,
);
runbookGauge(
  'auditgraph_api_error_responses_last_hour',
  'API responses with HTTP status >= 400 recorded in the last hour.',
  (s) => s.apiErrorsLastHour,
);
runbookGauge(
  'auditgraph_decisions_pending_over_an_hour',
  'Trade decisions still pending more than an hour after they were made.',
  (s) => s.pendingOverAnHour,
);
runbookGauge(
  'auditgraph_trade_failures_last_hour',
  'Trade decisions that failed in the last hour (written failed, changed to failed, or a trade_failed event).',
  (s) => s.tradeFailures,
);
runbookGauge(
  'auditgraph_circuit_breaker_events_last_hour',
  'RISK circuit_breaker_triggered events in the last hour.',
  (s) => s.circuitBreakers,
);
runbookGauge(
  'auditgraph_slow_api_calls_last_hour',
  `API responses recorded in the last hour that took over ${SLOW_API_CALL_MS} ms.`,
  (s) => s.slowApiCalls,
);
runbookGauge(
  'auditgraph_api_error_responses_most_repeated',
  `The most API error responses of one kind (provider, endpoint, status) in the last ${REPEATED_ERRORS_WINDOW_MS / 60_000} minutes.`,
  (s) => s.mostRepeatedApiError,
);
