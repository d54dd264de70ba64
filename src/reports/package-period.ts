import { BadInputError } from '../base/errors';
import { addMilliseconds, millisecondsOf } from '../time/instant';
import { daysPeriod, type Period, quarterPeriod } from './period';

/** A compliance package covers at most this many days: a year and a leap day; a longer span is several packages. */
export const MAX_PACKAGE_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC days a package covers, both included, and their half-open period. */
export type PackagePeriod = Period & { fromDay: string; toDay: string };

/**
 * The period of a package: `--quarter 2026Q3` (the guide's way of asking),
 * or `--from`/`--to` days of UTC, both included — one or the other, never
 * both. UTC only: an examiner's quarter is a calendar quarter, and one
 * package read in two zones would be two different packages.
 */
export function packagePeriod(asked: {
  quarter?: string | null;
  from?: string | null;
  to?: string | null;
}): PackagePeriod {
  const { quarter, from, to } = asked;
  const hasRange = (from ?? null) !== null || (to ?? null) !== null;
  if (quarter != null && hasRange) throw new BadInputError('pass either a quarter or from and to, not both', 'quarter');
  let period: Period;
  if (quarter != null) period = quarterPeriod(quarter);
  else {
    if (from == null || to == null) throw new BadInputError('pass a quarter (2026Q3), or both from and to', 'from');
    period = daysPeriod(from, to);
  }
  const lastDay = addMilliseconds(period.until, -DAY_MS).slice(0, 10);
  // UTC days: every one is 24 hours long.
  const days = (millisecondsOf(period.until) - millisecondsOf(period.from)) / DAY_MS;
  if (days > MAX_PACKAGE_DAYS)
    throw new BadInputError(
      `a compliance package covers at most ${MAX_PACKAGE_DAYS} days; ${period.from.slice(0, 10)} to ${lastDay} is ${days}`,
      'to',
    );
  return { ...period, fromDay: period.from.slice(0, 10), toDay: lastDay };
}

/** Every day of the period, in order (at most MAX_PACKAGE_DAYS). */
export function daysOf(period: PackagePeriod): string[] {
  const count = (millisecondsOf(period.until) - millisecondsOf(period.from)) / DAY_MS;
  return Array.from({ length: count }, (_, day) => addMilliseconds(period.from, day * DAY_MS).slice(0, 10));
}
