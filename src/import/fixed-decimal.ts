/**
 * Exact decimals as integers of 10^-8 units, the scale of the record's
 * `numeric(20,8)` columns: a quantity is added and compared without ever
 * passing through floating point. Parsing rounds half away from zero, as
 * PostgreSQL rounds a value with more decimals into such a column.
 */
const SCALE = 8;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

export function toUnits(value: number | string): bigint {
  const match = DECIMAL.exec(String(value));
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`not a decimal: ${String(value)}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`;
  // The decimal point sits `point` digits into `digits`; units keep SCALE digits after it.
  const point = whole!.length + Number(exponent);
  const kept = point + SCALE;
  const padded = kept >= digits.length ? digits.padEnd(kept, '0') : digits.slice(0, Math.max(kept, 0));
  let units = BigInt(padded === '' ? '0' : padded);
  const next = kept >= 0 && kept < digits.length ? digits[kept]! : '0';
  if (next >= '5' && kept >= 0) units += 1n;
  return sign === '-' ? -units : units;
}

/** Units as a decimal string with 8 places, e.g. `-12.50000000`. */
export function fromUnits(units: bigint): string {
  const digits = (units < 0n ? -units : units).toString().padStart(SCALE + 1, '0');
  return `${units < 0n ? '-' : ''}${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
}
