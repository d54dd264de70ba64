/** Durations in milliseconds, as the generator's clocks count. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
