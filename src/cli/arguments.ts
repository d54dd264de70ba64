import { InvalidArgumentError } from 'commander';
import { dayStart, type Instant, InstantError, parseDateTime } from '../time/instant';

/** A number argument, refused in commander's words unless `check` holds. */
export function number(name: string, check: (value: number) => boolean, expected: string) {
  return (raw: string) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
      throw new InvalidArgumentError(`${name} must be ${expected}; got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** An instant argument: a date (its 00:00 UTC) or an RFC 3339 date-time, exactly and within the supported range. */
export function instant(raw: string): Instant {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? dayStart(raw) : parseDateTime(raw);
  } catch (error) {
    if (!(error instanceof InstantError)) throw error;
    throw new InvalidArgumentError(
      'must be an ISO date or timestamp, e.g. 2026-11-23 or 2026-11-23T00:00:00Z: ' +
        `${JSON.stringify(raw)} ${error.message}`,
    );
  }
}
