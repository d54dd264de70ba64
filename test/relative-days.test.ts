import fc from 'fast-check';
import { BadInputError } from '../src/base/errors';
import { resolveDays } from '../src/cli/days';
import { lastQuarterName, relativeDaySpan, todayIn } from '../src/time/relative-days';

const DAY_MS = 24 * 60 * 60 * 1000;
const ZONES = ['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata'];
const moments = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('9999-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);

describe('days named by what they are to today', () => {
  it('yesterday is the day before today on the zone’s calendar', () => {
    fc.assert(
      fc.property(moments, fc.constantFrom(...ZONES), (now, zone) => {
        const { first, last } = relativeDaySpan('yesterday', zone, now);
        expect(first).toBe(last);
        expect(ms(todayIn(zone, now)) - ms(first)).toBe(DAY_MS);
      }),
    );
  });

  it('last-week is the whole ISO week, Monday to Sunday, before the one today is in', () => {
    fc.assert(
      fc.property(moments, fc.constantFrom(...ZONES), (now, zone) => {
        const { first, last } = relativeDaySpan('last-week', zone, now);
        expect(new Date(ms(first)).getUTCDay()).toBe(1);
        expect(ms(last) - ms(first)).toBe(6 * DAY_MS);
        const sinceSunday = ms(todayIn(zone, now)) - ms(last);
        expect(sinceSunday).toBeGreaterThanOrEqual(DAY_MS);
        expect(sinceSunday).toBeLessThanOrEqual(7 * DAY_MS);
      }),
    );
  });

  it('last-quarter is the whole calendar quarter before the one today is in, and its name', () => {
    fc.assert(
      fc.property(moments, fc.constantFrom(...ZONES), (now, zone) => {
        const { first, last } = relativeDaySpan('last-quarter', zone, now);
        const today = todayIn(zone, now);
        expect(first.slice(5)).toMatch(/^(01|04|07|10)-01$/);
        const next = new Date(ms(last) + DAY_MS).toISOString().slice(0, 10);
        expect(next.slice(5)).toMatch(/^(01|04|07|10)-01$/);
        expect(next <= today && today < new Date(ms(next) + 93 * DAY_MS).toISOString().slice(0, 10)).toBe(true);
        const name = lastQuarterName(zone, now);
        expect(name).toBe(`${first.slice(0, 4)}Q${(Number(first.slice(5, 7)) + 2) / 3}`);
      }),
    );
  });

  it('reads today in the zone: just after midnight UTC is still the day before in New York', () => {
    const now = new Date('2026-01-01T02:00:00Z');
    expect(relativeDaySpan('yesterday', 'UTC', now).first).toBe('2025-12-31');
    expect(relativeDaySpan('yesterday', 'America/New_York', now).first).toBe('2025-12-30');
    expect(relativeDaySpan('last-quarter', 'UTC', now)).toEqual({ first: '2025-10-01', last: '2025-12-31' });
    expect(relativeDaySpan('last-quarter', 'America/New_York', now)).toEqual({
      first: '2025-07-01',
      last: '2025-09-30',
    });
    expect(relativeDaySpan('last-week', 'UTC', now)).toEqual({ first: '2025-12-22', last: '2025-12-28' });
  });
});

describe('resolveDays, the one reading of --date, --from, --to and --quarter', () => {
  const now = new Date('2026-12-03T12:00:00Z');

  it('turns words into dates, and leaves dates and anything else for the period checks to judge', () => {
    expect(resolveDays({ date: 'yesterday' }, 'UTC', now)).toEqual({ date: '2026-12-02' });
    expect(resolveDays({ from: 'last-week' }, 'UTC', now)).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(resolveDays({ from: 'last-quarter', to: 'yesterday' }, 'UTC', now)).toEqual({
      from: '2026-07-01',
      to: '2026-12-02',
    });
    expect(resolveDays({ quarter: 'last-quarter' }, 'UTC', now)).toEqual({ quarter: '2026Q3' });
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!['yesterday', 'last-week', 'last-quarter'].includes(text));
        expect(resolveDays({ date: text, from: text, to: text }, 'UTC', now)).toEqual({
          date: text,
          from: text,
          to: text,
        });
      }),
    );
  });

  it('refuses a span of days where one day is asked for', () => {
    expect(() => resolveDays({ date: 'last-week' }, 'UTC', now)).toThrow(BadInputError);
    expect(() => resolveDays({ date: 'last-quarter' }, 'UTC', now)).toThrow(/--date takes one day/);
  });
});
