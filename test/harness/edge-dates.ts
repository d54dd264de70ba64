/**
 * Dates at the edges of the supported range, each with whether the gateway
 * must accept it — decided here by civil-calendar arithmetic of its own, not
 * by the gateway's parser. Shared by the date-range tests of GraphQL, the CLI
 * and the importer.
 */
import fc from 'fast-check';

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
const FIRST_SECOND = daysFromCivil(1, 1, 1) * 86_400;
const END_SECOND = daysFromCivil(10000, 1, 1) * 86_400;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const years = fc.oneof(
  fc.constantFrom(0, 1, 99, 100, 1969, 1970, 2000, 2024, 2100, 9999, 10000),
  fc.integer({ min: 0, max: 10000 }),
);
const calendarDay = fc.record({
  year: years,
  month: fc.oneof(fc.constantFrom(1, 2, 12), fc.integer({ min: 0, max: 13 })),
  day: fc.oneof(fc.constantFrom(1, 28, 29, 30, 31), fc.integer({ min: 0, max: 32 })),
});
const validDay = ({ year, month, day }: { year: number; month: number; day: number }) =>
  year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);

/** A `YYYY-MM-DD` (or five-digit-year) date and whether the gateway must accept it. */
export const dates = calendarDay.map((date) => ({
  text: `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`,
  valid: validDay(date),
}));

/** An RFC 3339 date-time at the edges and whether it is a supported instant. */
export const dateTimes = fc
  .record({
    date: calendarDay,
    hour: fc.oneof(fc.constantFrom(0, 23, 24), fc.integer({ min: 0, max: 23 })),
    minute: fc.constantFrom(0, 59, 60),
    second: fc.constantFrom(0, 59, 60),
    fraction: fc.integer({ min: 0, max: 9 }).chain((digits) => fc.stringMatching(new RegExp(`^\\d{${digits}}$`))),
    offset: fc.oneof(
      fc.constant('Z'),
      fc.constantFrom('+00:00', '-12:00', '+14:00', '-23:59', '+23:59', '+24:00', '-00:60'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map(({ date, hour, minute, second, fraction, offset }) => {
    const text =
      `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}` +
      `:${pad(second, 2)}${fraction ? `.${fraction}` : ''}${offset}`;
    const offsetMatch = /^([+-])(\d\d):(\d\d)$/.exec(offset);
    const offsetValid =
      offset === 'Z' || (!!offsetMatch && Number(offsetMatch[2]) <= 23 && Number(offsetMatch[3]) <= 59);
    const offsetSeconds = offsetMatch
      ? (offsetMatch[1] === '-' ? -1 : 1) * (Number(offsetMatch[2]) * 3600 + Number(offsetMatch[3]) * 60)
      : 0;
    // Year 0000 is a real proleptic (leap) year: 0000-12-31T23:30:00-01:00 is 0001-01-01T00:30:00Z, inside.
    const calendarValid =
      date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= daysIn(date.year, date.month);
    const wellFormed =
      date.year <= 9999 &&
      calendarValid &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      fraction.length <= 6 &&
      offsetValid;
    const utcSecond =
      daysFromCivil(date.year, date.month, date.day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    const valid = wellFormed && utcSecond >= FIRST_SECOND && utcSecond < END_SECOND;
    return { text, valid };
  });

export const quarters = fc
  .record({ year: years, quarter: fc.integer({ min: 0, max: 5 }) })
  .map(({ year, quarter }) => ({
    text: `${pad(year, 4)}Q${quarter}`,
    valid: year >= 1 && year <= 9999 && quarter >= 1 && quarter <= 4,
  }));
