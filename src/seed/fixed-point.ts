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
