/**
 * Generated quantities and prices are integers in units of 1/10,000, so sums
 * and averages are exact; they are written as numeric(20,8) text.
 */
export const UNITS_PER_ONE = 10_000;

export function formatUnits(units: number): string {
  const sign = units < 0 ? '-' : '';
  const magnitude = Math.abs(units);
  const whole = Math.floor(magnitude / UNITS_PER_ONE);
  const fraction = String(magnitude % UNITS_PER_ONE).padStart(4, '0');
  return `${sign}${whole}.${fraction}0000`;
}

/** A plain decimal for JSON bodies, as brokers send them ("12.5", "187.25"). */
export function unitsToJsonNumberString(units: number): string {
  return String(units / UNITS_PER_ONE);
}

/**
 * A product of two unit amounts (a quantity times a price) is in 1/10^8 units;
 * money is kept in it exactly (as a bigint: sums over years of fills outgrow
 * a double) and reported in whole cents, rounded half away from zero as
 * PostgreSQL's round(numeric, 2) does.
 */
export function productToCents(units: bigint): bigint {
  const sign = units < 0n ? -1n : 1n;
  return (sign * (sign * units + 500_000n)) / 1_000_000n;
}

/** Cents as decimal text with two places: -1234 → "-12.34". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const magnitude = cents < 0n ? -cents : cents;
  return `${sign}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}

/** Below this many cents a double holds every amount exactly (at most 15 significant digits). */
const EXACT_CENTS_BOUND = 10n ** 15n;

/**
 * Cents as a plain JSON number (JSON.stringify writes its digits: 1234 → 12.34),
 * for amounts of one order, which stay far below the bound; larger ones are
 * refused rather than rounded (write them with formatCents as exact digits).
 */
export function centsToJsonNumber(cents: bigint): number {
  if (cents >= EXACT_CENTS_BOUND || cents <= -EXACT_CENTS_BOUND)
    throw new RangeError(`${formatCents(cents)} has more digits than a double keeps exactly`);
  return Number(cents) / 100;
}
