import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { logger } from '../base/logger';
import { apiErrors } from '../reports/api-errors.report';
import { dailySummary } from '../reports/daily-summary.report';
import { withTimeout } from '../base/with-timeout';
import { metricsRegistry } from './registry';
import { instantFromDatabase, instantOf, millisecondsOf } from '../time/instant';

/** A scrape reuses values this fresh: Prometheus may scrape often, the database should not notice. */
export const RUNBOOK_GAUGES_MAX_AGE_MS = 15_000;
/** Longer than the queries take at scale 100, shorter than a scrape timeout. */
const REFRESH_TIMEOUT_MS = 3_000;

type Snapshot = {
  secondsSinceLastIngestion: number;
  failureRateToday: number;
  apiErrorsLastHour: number;
  pendingOverAnHour: number;
};

const HOUR_MS = 3_600_000;
let source: Orm | undefined;
let cached: { at: number; snapshot: Snapshot } | undefined;
let refreshing: Promise<void> | undefined;

/** The gateway's database, read by the gauges below (one gateway per process). */
export function useRunbookGaugeSource(orm: Orm): void {
  source = orm;
  cached = undefined;
}

/**
 * The runbook's alert inputs, from the same report SQL as `dailySummary` and
 * `apiErrors` (so an alert and the report an on-call engineer runs next agree),
 * plus the time of the last ingestion run (one index lookup).
 */
async function takeSnapshot(orm: Orm): Promise<Snapshot> {
  const em = orm.em.fork();
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const [summary, errorGroups, [last]] = await Promise.all([
    dailySummary(em, { date: today, stuckAfterMinutes: 60 }),
    apiErrors(em, { since: instantOf(new Date(now.getTime() - HOUR_MS)), until: instantOf(now) }),
    em.getConnection().execute<{ at: string | null }[]>('select max(created_at) as at from data_ingestion_runs'),
  ]);
  return {
    // No run ever: infinitely long ago, so the "no ingestion for 24 h" alert fires.
    secondsSinceLastIngestion: last?.at
      ? (now.getTime() - millisecondsOf(instantFromDatabase(last.at))) / 1000
      : Number.POSITIVE_INFINITY,
    failureRateToday: summary.failureRate ?? Number.NaN,
    apiErrorsLastHour: errorGroups.reduce((sum, group) => sum + group.count, 0),
    pendingOverAnHour: summary.stuckPendingCount,
  };
}

async function currentSnapshot(): Promise<Snapshot | undefined> {
  if (!source) return undefined;
  if (!cached || Date.now() - cached.at > RUNBOOK_GAUGES_MAX_AGE_MS) {
    const orm = source;
    // One refresh at a time, however many scrapes arrive together.
    refreshing ??= withTimeout(takeSnapshot(orm), REFRESH_TIMEOUT_MS, 'the runbook gauges query')
      .then((snapshot) => {
        cached = { at: Date.now(), snapshot };
      })
      .catch((error: unknown) => {
        // A scrape must not fail while PostgreSQL is away: keep the last values.
        logger.warn({ err: error }, 'runbook gauges not refreshed');
      })
      .finally(() => {
        refreshing = undefined;
      });
    await refreshing;
  }
  return cached?.snapshot;
}

function runbookGauge(name: string, help: string, pick: (snapshot: Snapshot) => number) {
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      const snapshot = await currentSnapshot();
      if (snapshot) this.set(pick(snapshot));
    },
  });
}

// Base units and `_ratio`, as Prometheus names things: the alert rules turn seconds into 24 h.
runbookGauge(
  'auditgraph_ingestion_seconds_since_last_run',
  'Seconds since the newest data ingestion run was recorded (+Inf when none).',
  (s) => s.secondsSinceLastIngestion,
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
