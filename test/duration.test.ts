import fc from 'fast-check';
import { DurationError, durationMilliseconds, MAX_DURATION_DAYS } from '../src/time/duration';

const UNITS = { W: 604_800_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 } as const;

describe('ISO 8601 durations (stalePending.olderThan)', () => {
  it('reads any combination of weeks, days, hours, minutes and seconds as their exact milliseconds', () => {
    const part = fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined });
    fc.assert(
      fc.property(fc.record({ W: part, D: part, H: part, M: part, S: part }), (parts) => {
        const date = ['W', 'D'].map((unit) => (parts[unit as 'W'] === undefined ? '' : `${parts[unit as 'W']}${unit}`));
        const time = ['H', 'M', 'S'].map((unit) =>
          parts[unit as 'H'] === undefined ? '' : `${parts[unit as 'H']}${unit}`,
        );
        const text = `P${date.join('')}${time.join('') ? `T${time.join('')}` : ''}`;
        const ms = Object.entries(parts).reduce(
          (sum, [unit, count]) => sum + (count ?? 0) * UNITS[unit as keyof typeof UNITS],
          0,
        );
        if (text === 'P') expect(() => durationMilliseconds(text)).toThrow(DurationError);
        else if (ms > MAX_DURATION_DAYS * UNITS.D) expect(() => durationMilliseconds(text)).toThrow(/at most/);
        else expect(durationMilliseconds(text)).toBe(ms);
      }),
    );
  });

  it.each([
    ['-P1D', /negative/],
    ['P-1D', /negative/],
    ['PT-5M', /negative/],
    ['P1M', /no months or years/],
    ['P1Y', /no months or years/],
    ['P', /ISO 8601/],
    ['PT', /ISO 8601/],
    ['7 days', /ISO 8601/],
    ['p7d', /ISO 8601/],
    ['P7D ', /ISO 8601/],
    ['P1D2W', /ISO 8601/],
    [`P${MAX_DURATION_DAYS + 1}D`, /at most/],
    ['P9999999999D', /ISO 8601/],
  ])('refuses %s', (text, message) => {
    expect(() => durationMilliseconds(text)).toThrow(message);
  });

  it('takes fractional seconds to the millisecond, and the longest duration allowed', () => {
    expect(durationMilliseconds('PT1.5S')).toBe(1500);
    expect(durationMilliseconds('P1DT12H')).toBe(1.5 * UNITS.D);
    expect(durationMilliseconds(`P${MAX_DURATION_DAYS}D`)).toBe(MAX_DURATION_DAYS * UNITS.D);
  });
});
