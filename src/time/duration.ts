/**
 * Exact durations in ISO 8601 form (`P7D`, `PT36H`, `P1W`, `P1DT12H`), as
 * GraphQL clients and PostgreSQL both write them. Only the units of a fixed
 * length — weeks, days, hours, minutes, seconds — are taken: a month or a year
 * has no one length, so "older than P1M" would depend on the calendar.
 */
export type Duration = string;

/** Longest duration taken: a century, beyond any record the gateway keeps (the archive keeps 7 years). */
export const MAX_DURATION_DAYS = 36_525;
export const DURATION_FORMAT =
  'an ISO 8601 duration of weeks, days, hours, minutes and seconds, such as P7D, PT36H or P1DT12H ' +
  `(no months or years: they have no one length), from PT0S to P${MAX_DURATION_DAYS}D`;

/** Thrown for text that is not a duration the gateway accepts; callers turn it into their own input error. */
export class DurationError extends Error {
  override name = 'DurationError';
}

const ISO_8601 = /^P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,6})?)S)?)?$/;
const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** The milliseconds of a duration's text, or a DurationError saying what is wrong with it. */
export function durationMilliseconds(text: string): number {
  // No duration has a minus sign but a negative one (-P1D, P-1D, PT-5M).
  if (text.includes('-')) throw new DurationError('must not be negative');
  const match = ISO_8601.exec(text);
  // `P` alone and `PT` alone name no unit; ISO 8601 asks for at least one.
  if (!match || text === 'P' || text.endsWith('T')) throw new DurationError(`must be ${DURATION_FORMAT}`);
  const [, weeks, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  const ms =
    weeks! * MS.week + days! * MS.day + hours! * MS.hour + minutes! * MS.minute + Math.round(seconds! * MS.second);
  if (ms > MAX_DURATION_DAYS * MS.day) throw new DurationError(`must be at most P${MAX_DURATION_DAYS}D`);
  return ms;
}
