import { emitDailyEvents, tradingDays } from './daily-events';
import { walkDecision } from './decision-walk';
import { FillLedger } from './fill-ledger';
import { walkIngestionRun } from './ingestion-run-walk';
import { PositionBook } from './position-book';
import { Random } from './random';
import {
  type PlantedAnswers,
  type PlantedDefects,
  type RowSink,
  type SeedRow,
  type Table,
  TABLES,
  type WalkCounts,
  noEvents,
} from './seed-rows';
import { DAY, type WalkState } from './walk-state';

/** Mixed into the seed for the planted answers' own stream (any constant other than 0 would do). */
const PLANTS_STREAM = 0x5eed_a115;
/** Mixed into the seed for the pre-trade checks' own stream. */
const CHECKS_STREAM = 0x0c4e_c5e5;
/** Mixed into the seed for the older tranche's streams, so that the recent data is the same with or without it. */
const OLDER_STREAM = 0x01d0_7a5e;

/** The recent data: runs over the 90 days before the anchor. */
export const RECENT_SPAN_MS = 90 * DAY;
/**
 * The tranche older than the two years records stay in the database (what
 * archive and purge act on): runs over 120 days from three years before the
 * anchor, a tenth as many decisions as the recent data.
 */
export const OLDER_TRANCHE = { startsBeforeAnchorMs: 3 * 365 * DAY, spanMs: 120 * DAY, share: 0.1 } as const;

/** The decisions of the older tranche for `decisions` recent ones: none unless asked for. */
export const olderDecisionsFor = (decisions: number, withOlder: boolean): number =>
  withOlder ? Math.max(1, Math.round(decisions * OLDER_TRANCHE.share)) : 0;

/**
 * Walks the whole generated lineage in a fixed order, drawing every random
 * number whatever `sink.table` is, so each pass over the same seed makes the
 * same rows; only rows of `sink.table` are formatted and written. Loading one
 * table per pass lets each COPY finish before the tables that reference it.
 * The older tranche (if any) first, so ids follow time as a real database's
 * would; then the recent data; then each trading day's end-of-day events
 * over the book both built. Its steps, each in its own file: walkIngestionRun,
 * walkDecision, walkExecution, emitDailyEvents.
 */
export async function walkLineage(
  options: { decisions: number; olderDecisions: number; seed: number; anchorMs: number; onDecision?: () => void },
  sink: RowSink,
): Promise<WalkCounts> {
  const { anchorMs, seed } = options;
  const rows = Object.fromEntries(TABLES.map((table) => [table, 0])) as Record<Table, number>;
  const planted: PlantedDefects = {
    decisionsWithoutRationale: 0,
    executionsMissingPayloadLink: 0,
    decisionsWithTwoExecutions: 0,
    pendingDecisionsStuck: 0,
  };
  const answers: PlantedAnswers = { decisionsFedByFailedRun: 0, decisionsFedByErrorPayload: 0 };
  /** Counts a row, and formats and hands it over only when its table is being loaded. */
  const emit = (table: Table, build: () => SeedRow): boolean => {
    rows[table] += 1;
    if (table === 'trade_decisions') options.onDecision?.();
    return table === sink.table && sink.add(build());
  };
  const shared = {
    anchorMs,
    book: new PositionBook(),
    ledger: new FillLedger(),
    eventCounts: noEvents(),
    planted,
    answers,
    next: { run: 0, payload: 0, decision: 0, execution: 0 },
    emit,
    sink,
  };
  const tranche = (stream: number, span: WalkState['span']): WalkState => ({
    ...shared,
    span,
    random: new Random(seed ^ stream),
    plants: new Random(seed ^ stream ^ PLANTS_STREAM),
    checks: new Random(seed ^ stream ^ CHECKS_STREAM),
  });

  const days: number[] = [];
  if (options.olderDecisions > 0) {
    const span = { startMs: anchorMs - OLDER_TRANCHE.startsBeforeAnchorMs, ms: OLDER_TRANCHE.spanMs };
    await walkTranche(tranche(OLDER_STREAM, span), options.olderDecisions);
    days.push(...tradingDays(span.startMs, span.startMs + span.ms + DAY));
  }
  const recent = tranche(0, { startMs: anchorMs - RECENT_SPAN_MS, ms: RECENT_SPAN_MS });
  await walkTranche(recent, options.decisions);
  days.push(...tradingDays(recent.span.startMs, anchorMs));
  await emitDailyEvents(recent, days, options.decisions + options.olderDecisions);
  return { rows, planted, answers, events: shared.eventCounts };
}

/** The runs of one tranche and the decisions drawn from them, runs keeping pace with decisions across its span. */
async function walkTranche(walk: WalkState, total: number): Promise<void> {
  const { random } = walk;
  let made = 0;
  while (made < total) {
    const { task, finishedMs, fetched, failedCall } = await walkIngestionRun(walk, made, total);
    if (fetched.length === 0) continue;

    const decisionCount = Math.min(total - made, random.int(10, 30));
    for (let index = 0; index < decisionCount; index++, made++) {
      await walkDecision(walk, task, { fetched, failedCall }, finishedMs);
    }
  }
}
