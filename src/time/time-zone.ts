import { BadInputError } from '../base/errors';
import { addMilliseconds, compareInstants, dayStart, type Instant, millisecondsOf } from './instant';

/** Days, weeks and months are UTC unless a `timeZone` argument says otherwise. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** Longer than any IANA name (the longest is 32 characters): refused before Intl looks at it. */
const MAX_NAME_LENGTH = 64;
/**
 * The shape of an IANA name: `Area/Location`, `UTC`, `Etc/GMT+5`. Offsets
 * such as `+05:00` are refused: PostgreSQL reads a bare offset with the
 * POSIX sign (east negative), the opposite of what a reader means.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_-]*(?:\/[A-Za-z0-9_+-]+)*$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter of wall-clock time in `zone`, or undefined for a name Intl does not know. */
function formatterOf(zone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
    // Only names that passed are kept: the cache is bounded by the tz database.
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * `name` checked as an IANA time zone name (against the tz database Node's
 * Intl carries, which PostgreSQL's matches for every zone in use), or UTC when
 * none is given. A bad name is a BAD_USER_INPUT naming it, before any SQL.
 */
export function timeZoneOf(name: string | null | undefined, argument: string): string {
  if (name == null) return DEFAULT_TIME_ZONE;
  if (name.length <= MAX_NAME_LENGTH && NAME.test(name) && formatterOf(name)) return name;
  const shown = name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}… (${name.length} characters)` : name;
  throw new BadInputError(
    `\`${argument}\` must be an IANA time zone name such as UTC, Europe/London or America/New_York; ` +
      `got ${JSON.stringify(shown)}`,
    argument,
  );
}

/** Milliseconds of a proleptic Gregorian wall-clock time read as UTC (Date.UTC maps years 0–99 to 1900–1999). */
function wallMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** How far `zone`'s wall clock is ahead of UTC at `ms` (whole seconds, as the tz database's offsets are). */
export function zoneOffsetMs(zone: string, ms: number): number {
  const parts = Object.fromEntries(
    formatterOf(zone)!
      .formatToParts(new Date(ms))
      .map(({ type, value }) => [type, value]),
  );
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = wallMs(
    year,
    Number(parts.month),
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

const FIRST_INSTANT = dayStart('0001-01-01');
const HOURS_36 = 36 * 60 * 60 * 1000;

/**
 * The first instant of the calendar day `YYYY-MM-DD` in `zone`: local
 * midnight, or where a time change skips midnight, the first instant after
 * the gap — so `[dayStart, next dayStart)` holds exactly the instants whose
 * local date is that day, as `date_trunc('day', t at time zone zone)` buckets
 * them. In UTC it is dayStart's own instant, so UTC reports are unchanged.
 */
export function zonedDayStart(text: string, zone: string): Instant {
  const utc = dayStart(text);
  if (zone === DEFAULT_TIME_ZONE) return utc;
  const midnight = millisecondsOf(utc);
  // Every offset the zone has around that day; the earliest candidate whose wall clock reached the day wins.
  const offsets = new Set([-HOURS_36, 0, HOURS_36].map((shift) => zoneOffsetMs(zone, midnight + shift)));
  const candidates = [...offsets]
    .map((offset) => midnight - offset)
    .filter((ms) => ms + zoneOffsetMs(zone, ms) >= midnight)
    .sort((a, b) => a - b);
  const start = addMilliseconds(utc, candidates[0]! - midnight);
  // East of Greenwich, 0001-01-01 starts before the supported range does: the range's first instant.
  return compareInstants(start, FIRST_INSTANT) < 0 ? FIRST_INSTANT : start;
}
