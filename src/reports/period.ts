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
import { DEFAULT_TIME_ZONE, zonedDayStart } from '../time/time-zone';

/**
 * A half-open time range, `[from, until)`: whole days for day-based reports,
 * days of UTC or of the time zone the caller names. `until` may be
 * 10000-01-01, the exclusive end of the last supported day; every instant
 * inside is in the supported range.
 */
export type Period = { from: Instant; until: Instant };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The start of a calendar date `YYYY-MM-DD` in the supported range, in `timeZone`
 * (a name checked by timeZoneOf; UTC by default), refusing impossible dates such as 2026-02-30.
 */
export function parseDay(text: string, argument: string, timeZone = DEFAULT_TIME_ZONE): Instant {
  try {
    return zonedDayStart(text, timeZone);
  } catch (error) {
    if (!(error instanceof InstantError)) throw error;
    throw new BadInputError(
      `\`${argument}\` must be a date as YYYY-MM-DD, ${DAYS_RANGE}; ${JSON.stringify(text)} ${error.message}`,
      argument,
    );
  }
}

/**
 * The start of the day after `date` in `timeZone`: a day of 23 or 25 hours
 * where the clocks change. The day after 9999-12-31 is the range's exclusive end.
 */
function nextDayStart(date: string, timeZone: string): Instant {
  const next = addMilliseconds(dayStart(date), DAY_MS);
  return timeZone === DEFAULT_TIME_ZONE || next.startsWith('10000-')
    ? next
    : zonedDayStart(next.slice(0, 10), timeZone);
}

/** One day, of UTC unless `timeZone` names another zone. */
export function dayPeriod(date: string, argument = 'date', timeZone = DEFAULT_TIME_ZONE): Period {
  const from = parseDay(date, argument, timeZone);
  return { from, until: nextDayStart(date, timeZone) };
}

/** From the start of `from` to the end of `to`, both days included, in `timeZone` (UTC by default). */
export function daysPeriod(from: string, to: string, timeZone = DEFAULT_TIME_ZONE): Period {
  const start = parseDay(from, 'from', timeZone);
  parseDay(to, 'to', timeZone);
  if (to < from) throw new BadInputError(`\`from\` (${from}) must not be after \`to\` (${to})`, 'from');
  return { from: start, until: nextDayStart(to, timeZone) };
}

/** A calendar quarter, `2026Q3` = 2026-07-01 to 2026-09-30; 0001Q1 through 9999Q4; of UTC unless `timeZone`. */
export function quarterPeriod(quarter: string, timeZone = DEFAULT_TIME_ZONE): Period {
  const match = /^(\d{4})Q([1-4])$/.exec(quarter);
  const year = Number(match?.[1]);
  if (!match || year < 1)
    throw new BadInputError(
      `\`quarter\` must look like 2026Q3, ${QUARTERS_RANGE}; got ${JSON.stringify(quarter)}`,
      'quarter',
    );
  const number = Number(match[2]);
  // The quarter after 9999Q4 starts at 10000-01-01: the exclusive end a period may have.
  const from = quarterStart(year, number);
  const until = number === 4 ? quarterStart(year + 1, 1) : quarterStart(year, number + 1);
  if (timeZone === DEFAULT_TIME_ZONE) return { from, until };
  const local = (start: Instant) => (start.startsWith('10000-') ? start : zonedDayStart(start.slice(0, 10), timeZone));
  return { from: local(from), until: local(until) };
}

/** A span of instants, as alerts use ("the last hour"); `until` must follow `since`. */
export function instantsPeriod(since: Instant, until: Instant): Period {
  if (compareInstants(until, since) <= 0) throw new BadInputError('`since` must be before `until`', 'since');
  return { from: since, until };
}
