import { walkDecision } from './decision-walk';
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
} from './seed-rows';
import type { WalkState } from './walk-state';

/** Mixed into the seed for the planted answers' own stream (any constant other than 0 would do). */
const PLANTS_STREAM = 0x5eed_a115;

/**
 * Walks the whole generated lineage in a fixed order, drawing every random
 * number whatever `sink.table` is, so each pass over the same seed makes the
 * same rows; only rows of `sink.table` are formatted and written. Loading one
 * table per pass lets each COPY finish before the tables that reference it.
 * Its steps, each in its own file: walkIngestionRun, walkDecision, walkExecution.
 */
export async function walkLineage(
  options: { decisions: number; seed: number; anchorMs: number },
  sink: RowSink,
): Promise<WalkCounts> {
  const random = new Random(options.seed);
  const { anchorMs } = options;
  const total = options.decisions;
  const book = new PositionBook();
  const rows = Object.fromEntries(TABLES.map((table) => [table, 0])) as Record<Table, number>;
  const planted: PlantedDefects = {
    decisionsWithoutRationale: 0,
    executionsMissingPayloadLink: 0,
    decisionsWithTwoExecutions: 0,
    pendingDecisionsStuck: 0,
  };
  const answers: PlantedAnswers = { decisionsFedByFailedRun: 0, decisionsFedByErrorPayload: 0 };
  const plants = new Random(options.seed ^ PLANTS_STREAM);
  const next = { run: 0, payload: 0, decision: 0, execution: 0 };

  /** Counts a row, and formats and hands it over only when its table is being loaded. */
  const emit = (table: Table, build: () => SeedRow): boolean => {
    rows[table] += 1;
    return table === sink.table && sink.add(build());
  };
  const walk: WalkState = { random, anchorMs, book, planted, plants, answers, next, emit, sink };

  let made = 0;
  while (made < total) {
    const { task, finishedMs, fetched, failedCall } = await walkIngestionRun(walk, made, total);
    if (fetched.length === 0) continue;

    const decisionCount = Math.min(total - made, random.int(10, 30));
    for (let index = 0; index < decisionCount; index++, made++) {
      await walkDecision(walk, task, { fetched, failedCall }, finishedMs);
    }
  }
  return { rows, planted, answers };
}
