/**
 * An in-memory group-by the aggregate tests compare the gateway with: exact
 * decimals as scaled BigInts, time buckets by Intl.DateTimeFormat (not by
 * PostgreSQL, not by the gateway's time-zone code).
 */

/** A decimal text as an integer count of 10^-scale units. */
export function scaled(text: string, scale: number): bigint {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole! + fraction.padEnd(scale, '0').slice(0, scale));
  return text.startsWith('-') ? -units : units;
}

/** Units of 10^-scale as decimal text with exactly `scale` places, as PostgreSQL writes a numeric of that scale. */
export function decimalText(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** a / b rounded half away from zero. */
function divideRounded(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  const rounded = (2n * x + y) / (2n * y);
  return negative ? -rounded : rounded;
}

/** Sum, average (rounded to `avgScale` places), least and greatest of values at `scale`; null when none. */
export function statsOf(values: readonly bigint[], scale: number, avgScale = 8) {
  if (values.length === 0) return { sum: null, avg: null, min: null, max: null };
  const sum = values.reduce((a, b) => a + b, 0n);
  const avg = divideRounded(sum * 10n ** BigInt(avgScale), BigInt(values.length) * 10n ** BigInt(scale));
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    sum: decimalText(sum, scale),
    avg: decimalText(avg, avgScale),
    min: decimalText(sorted[0]!, scale),
    max: decimalText(sorted.at(-1)!, scale),
  };
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local date of an instant in `zone`, YYYY-MM-DD, by Intl. */
export function localDate(instant: string, zone: string): string {
  let format = dayFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(zone, format);
  }
  return format.format(new Date(instant));
}

/** The day, ISO week (by its Monday) or month (by its first day) an instant falls in, in `zone`. */
export function bucketOf(instant: string, zone: string, unit: 'day' | 'week' | 'month'): string {
  const date = localDate(instant, zone);
  if (unit === 'day') return date;
  if (unit === 'month') return `${date.slice(0, 8)}01`;
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/** Byte order of text (PostgreSQL's "C" collation, for ASCII), numbers by value, nulls last. */
function compareKeys(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Groups `rows` by `keys` (a function per key name), each group's count and
 * the stats of each measure (values at their scale, null ones left out), in
 * key order: what an aggregate must answer.
 */
export function groupRows<R>(
  rows: readonly R[],
  keys: Record<string, (row: R) => unknown>,
  groupBy: readonly string[],
  measures: Record<string, { of: (row: R) => bigint | null; scale: number }>,
) {
  const groups = new Map<string, { keys: Record<string, unknown>; rows: R[] }>();
  for (const row of rows) {
    const values = groupBy.map((name) => keys[name]!(row));
    const id = JSON.stringify(values);
    if (!groups.has(id)) groups.set(id, { keys: Object.fromEntries(groupBy.map((n, i) => [n, values[i]])), rows: [] });
    groups.get(id)!.rows.push(row);
  }
  if (groupBy.length === 0 && groups.size === 0) groups.set('[]', { keys: {}, rows: [] });
  return [...groups.values()]
    .sort((a, b) => {
      for (const name of groupBy) {
        const order = compareKeys(a.keys[name], b.keys[name]);
        if (order !== 0) return order;
      }
      return 0;
    })
    .map((group) => ({
      keys: group.keys,
      count: group.rows.length,
      ...Object.fromEntries(
        Object.entries(measures).map(([name, { of, scale }]) => [
          name,
          statsOf(
            group.rows.map(of).filter((value): value is bigint => value !== null),
            scale,
          ),
        ]),
      ),
    }));
}
