/**
 * Days named by what they are to today, as a cron job asks for them: the
 * day before, the last whole ISO week (Monday to Sunday), the last calendar
 * quarter — today read in the zone the report's days are read in.
 */
export const RELATIVE_DAYS = ['yesterday', 'last-week', 'last-quarter'] as const;
export type RelativeDays = (typeof RELATIVE_DAYS)[number];

/** The first and last day of a span, both included, as YYYY-MM-DD. */
export type DaySpan = { first: string; last: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const isRelativeDays = (text: string): text is RelativeDays =>
  (RELATIVE_DAYS as readonly string[]).includes(text);

/** Today's date on `zone`'s calendar at `now`. */
export function todayIn(zone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}

/** The days `word` names, today being `now` in `zone`. */
export function relativeDaySpan(word: RelativeDays, zone: string, now: Date): DaySpan {
  const today = Date.parse(`${todayIn(zone, now)}T00:00:00Z`);
  if (word === 'yesterday') return { first: dateOf(today - DAY_MS), last: dateOf(today - DAY_MS) };
  if (word === 'last-week') {
    const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY_MS;
    return { first: dateOf(monday - 7 * DAY_MS), last: dateOf(monday - DAY_MS) };
  }
  const date = new Date(today);
  const quarterStart = Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3, 1);
  const previous = new Date(quarterStart - DAY_MS);
  const first = Date.UTC(previous.getUTCFullYear(), Math.floor(previous.getUTCMonth() / 3) * 3, 1);
  return { first: dateOf(first), last: dateOf(quarterStart - DAY_MS) };
}

/** `last-quarter` as a quarter name, e.g. 2026Q3. */
export function lastQuarterName(zone: string, now: Date): string {
  const { first } = relativeDaySpan('last-quarter', zone, now);
  return `${first.slice(0, 4)}Q${Math.floor((Number(first.slice(5, 7)) - 1) / 3) + 1}`;
}
