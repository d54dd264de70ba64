import type { PositionBook } from './position-book';
import type { Random } from './random';
import type { PlantedAnswers, PlantedDefects, RowSink, SeedRow, Table } from './seed-rows';

/**
 * What every step of one lineage walk draws from and adds to: the one random
 * stream (each step draws in the walk's fixed order), the ids handed out so
 * far, the position book and the defects and answers planted.
 */
export type WalkState = {
  readonly random: Random;
  readonly anchorMs: number;
  readonly book: PositionBook;
  readonly planted: PlantedDefects;
  /**
   * The answers across the graph are drawn from a stream of their own, so
   * planting them leaves every other draw (and the rows it makes) as it was.
   */
  readonly plants: Random;
  readonly answers: PlantedAnswers;
  readonly next: { run: number; payload: number; decision: number; execution: number };
  /** Counts a row, and formats and hands it over only when its table is being loaded. */
  readonly emit: (table: Table, build: () => SeedRow) => boolean;
  readonly sink: RowSink;
};

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const json = (body: unknown) => JSON.stringify(body);
export const bytes = (body: unknown) => Buffer.byteLength(json(body));
export const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
