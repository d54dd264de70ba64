import { BadInputError } from '../base/errors';
import {
  addMilliseconds,
  compareInstants,
  DAYS_RANGE,
  dayStart,
  type Instant,
  InstantError,
  QUARTERS_RANGE,
  quarterStart,
} from '../time/instant';

/**
 * A half-open UTC time range, `[from, until)`: whole days for day-based
 * reports. `until` may be 10000-01-01, the exclusive end of the last
 * supported day; every instant inside is in the supported range.
 */
export type Period = { from: Instant; until: Instant };

const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date `YYYY-MM-DD` (UTC day) in the supported range, refusing impossible dates such as 2026-02-30. */
export function parseDay(text: string, argument: string): Instant {
  try {
    return dayStart(text);
  } catch (error) {
    if (!(error instanceof InstantError)) throw error;
    throw new BadInputError(
      `\`${argument}\` must be a date as YYYY-MM-DD, ${DAYS_RANGE}; ${JSON.stringify(text)} ${error.message}`,
      argument,
    );
  }
}

/** One UTC day. */
export function dayPeriod(date: string, argument = 'date'): Period {
  const from = parseDay(date, argument);
  return { from, until: addMilliseconds(from, DAY_MS) };
}

/** From the start of `from` to the end of `to`, both days included. */
export function daysPeriod(from: string, to: string): Period {
  const start = parseDay(from, 'from');
  const end = parseDay(to, 'to');
  if (compareInstants(end, start) < 0)
    throw new BadInputError(`\`from\` (${from}) must not be after \`to\` (${to})`, 'from');
  return { from: start, until: addMilliseconds(end, DAY_MS) };
}

/** A calendar quarter, `2026Q3` = 2026-07-01 to 2026-09-30; 0001Q1 through 9999Q4. */
export function quarterPeriod(quarter: string): Period {
  const match = /^(\d{4})Q([1-4])$/.exec(quarter);
  const year = Number(match?.[1]);
  if (!match || year < 1)
    throw new BadInputError(
      `\`quarter\` must look like 2026Q3, ${QUARTERS_RANGE}; got ${JSON.stringify(quarter)}`,
      'quarter',
    );
  const number = Number(match[2]);
  // The quarter after 9999Q4 starts at 10000-01-01: the exclusive end a period may have.
  return {
    from: quarterStart(year, number),
    until: number === 4 ? quarterStart(year + 1, 1) : quarterStart(year, number + 1),
  };
}

/** A span of instants, as alerts use ("the last hour"); `until` must follow `since`. */
export function instantsPeriod(since: Instant, until: Instant): Period {
  if (compareInstants(until, since) <= 0) throw new BadInputError('`since` must be before `until`', 'since');
  return { from: since, until };
}
