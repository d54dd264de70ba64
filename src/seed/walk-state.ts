import type { FillLedger } from './fill-ledger';
import type { PositionBook } from './position-book';
import type { Random } from './random';
import type { EventCounts, PlantedAnswers, PlantedDefects, RowSink, SeedRow, Table } from './seed-rows';

/**
 * What every step of one tranche of the lineage walk draws from and adds to:
 * the tranche's random stream (each step draws in the walk's fixed order) and
 * time span, the ids handed out so far, the position book, the fills ledger,
 * and the defects, answers and events counted.
 */
export type WalkState = {
  readonly random: Random;
  readonly anchorMs: number;
  /** The tranche's runs start in [startMs, startMs + ms). */
  readonly span: { readonly startMs: number; readonly ms: number };
  readonly book: PositionBook;
  readonly planted: PlantedDefects;
  /**
   * The answers across the graph are drawn from a stream of their own, so
   * planting them leaves every other draw (and the rows it makes) as it was.
   */
  readonly plants: Random;
  readonly answers: PlantedAnswers;
  /** The outcomes of the checks before an order, from a stream of their own for the same reason. */
  readonly checks: Random;
  /** Every fill, by the NAV day it counts towards. */
  readonly ledger: FillLedger;
  readonly eventCounts: EventCounts;
  readonly next: { run: number; payload: number; decision: number; execution: number };
  /** Counts a row, and formats and hands it over only when its table is being loaded. */
  readonly emit: (table: Table, build: () => SeedRow) => boolean;
  readonly sink: RowSink;
};

export { DAY, HOUR, MINUTE } from './durations';
export const json = (body: unknown) => JSON.stringify(body);
export const bytes = (body: unknown) => Buffer.byteLength(json(body));
export const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
