/**
 * Instants as PostgreSQL keeps them: to the microsecond. A JavaScript Date
 * holds milliseconds, so an instant travels through the gateway as its
 * canonical text instead — `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC, always six
 * fractional digits — which PostgreSQL reads back exactly and which sorts
 * as text the way the instants do (see compareInstants for the one exception).
 */
export type Instant = string;

/**
 * The supported range, stated once: every DateTime argument, date argument
 * and quarter is refused outside it. Stated as UTC instants, so
 * `9999-12-31T23:59:59-12:00` (10000-01-01T11:59:59Z) is outside.
 */
export const INSTANTS_RANGE = 'from 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999Z, as UTC instants';
export const DAYS_RANGE = 'from 0001-01-01 through 9999-12-31';
export const QUARTERS_RANGE = 'from 0001Q1 through 9999Q4';

/** Thrown for text that is not an instant the gateway accepts; callers turn it into their own input error. */
export class InstantError extends Error {
  override name = 'InstantError';
}

/** An instant as milliseconds since the epoch plus the microseconds a Date cannot hold. */
type Parts = { ms: number; micros: number };

const FIRST_MS = utcMs(1, 1, 1);
/** The first instant past the range: a period may end (exclusively) here, nothing may be at it. */
const END_MS = utcMs(10000, 1, 1);

/** Milliseconds of a UTC calendar time; Date.UTC alone maps years 0–99 to 1900–1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

const daysIn = (year: number, month: number) => new Date(utcMs(year, month + 1, 0)).getUTCDate();

/** RFC 3339, as clients write it: a four-digit year, `T`, a `Z` or ±HH:MM offset. */
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** PostgreSQL's output: a space or `T`, and offsets of ±HH, ±HH:MM or ±HH:MM:SS (historical time zones). */
const POSTGRES =
  /^(\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?)$/;

function partsOf(text: string, { strict }: { strict: boolean }): Parts {
  const match = (strict ? RFC_3339 : POSTGRES).exec(text);
  if (!match)
    throw new InstantError('must be an RFC 3339 date-time such as 2026-03-31T14:30:00.123456Z (a Z or ±HH:MM offset)');
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = match[7] ?? '';
  if (fraction.length > 6)
    throw new InstantError('has more than 6 fractional digits (the database keeps microseconds)');
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    throw new InstantError('names a day that does not exist');
  if (hour > 23 || minute > 59 || second > 59) throw new InstantError('names a time of day that does not exist');
  const sign = match[9] === '-' ? -1 : 1;
  const [offsetHours, offsetMinutes, offsetSeconds] = [match[10], match[11], match[12]].map((part) =>
    Number(part ?? 0),
  ) as [number, number, number];
  if (offsetHours > 23 || offsetMinutes > 59 || offsetSeconds > 59)
    throw new InstantError('has an offset that does not exist');
  const digits = fraction.padEnd(6, '0');
  const offsetMs = sign * ((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1000;
  return {
    ms: utcMs(year, month, day, hour, minute, second) + Number(digits.slice(0, 3)) - offsetMs,
    micros: Number(digits.slice(3)),
  };
}

function checkedInRange(parts: Parts): Parts {
  if (parts.ms < FIRST_MS || parts.ms >= END_MS)
    throw new InstantError(`is outside the supported range, ${INSTANTS_RANGE}`);
  return parts;
}

/** The canonical text; the year past 9999 is written out for the one instant a period may end at. */
function canonical({ ms, micros }: Parts): Instant {
  const iso = new Date(ms).toISOString();
  const text = iso.startsWith('+') ? iso.slice(2) : iso;
  return `${text.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/**
 * A client's RFC 3339 date-time (up to 6 fractional digits, any offset),
 * exactly, as an Instant in the supported range.
 */
export function parseDateTime(text: string): Instant {
  return canonical(checkedInRange(partsOf(text, { strict: true })));
}

/** A timestamptz as PostgreSQL writes it (`2026-01-01 12:00:00.123456+00`, or ISO inside JSON), as an Instant. */
export function instantFromDatabase(text: string): Instant {
  return canonical(partsOf(text, { strict: false }));
}

/** The start (00:00 UTC) of a calendar day `YYYY-MM-DD` in the supported range. */
export function dayStart(text: string): Instant {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new InstantError('is not written YYYY-MM-DD');
  const parts = partsOf(`${text}T00:00:00Z`, { strict: true });
  // Four digits keep the year at most 9999; only year 0000 is before the range.
  if (parts.ms < FIRST_MS) throw new InstantError(`is outside the supported range, ${DAYS_RANGE}`);
  return canonical(parts);
}

/**
 * The start of the UTC calendar quarter `quarter` (1–4) of `year`; the quarter
 * after 9999Q4 starts at 10000-01-01, a period's exclusive end.
 */
export function quarterStart(year: number, quarter: number): Instant {
  const ms = utcMs(year, (quarter - 1) * 3 + 1, 1);
  if (ms < FIRST_MS || ms > END_MS) throw new InstantError(`is outside the supported range, ${INSTANTS_RANGE}`);
  return canonical({ ms, micros: 0 });
}

/**
 * `instant` moved by whole milliseconds (days, minutes); microseconds kept.
 * May reach the exclusive end 10000-01-01.
 */
export function addMilliseconds(instant: Instant, ms: number): Instant {
  const parts = partsOf(instant, { strict: false });
  return canonical({ ms: parts.ms + ms, micros: parts.micros });
}

/**
 * Orders two instants (negative, zero, positive). Canonical text compares as
 * the instants do, except for a period's exclusive end, 10000-01-01, whose
 * five-digit year sorts first as text: the longer text is the later instant.
 */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The earlier of two instants. */
export const earlierOf = (a: Instant, b: Instant): Instant => (compareInstants(a, b) <= 0 ? a : b);

/** The instant of a JavaScript Date (now, an expiry): milliseconds, with zero microseconds. */
export const instantOf = (date: Date): Instant => canonical({ ms: date.getTime(), micros: 0 });

/** Milliseconds since the epoch, for arithmetic and gauges that need no more. */
export const millisecondsOf = (instant: Instant): number => partsOf(instant, { strict: false }).ms;
