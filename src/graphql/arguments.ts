import { BadInputError } from '../base/errors';
import { compareInstants, type Instant } from '../time/instant';

/** Database ids are positive bigints, carried as strings; anything else is refused before SQL. */
const MAX_BIGINT = 9223372036854775807n;

/** True for a positive integer that fits PostgreSQL's bigint. */
export function isDatabaseId(value: string): boolean {
  return /^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}

/** Lookups take one key or the other; both or neither is ambiguous. */
export function exactlyOne<T extends Record<string, string | null | undefined>>(keys: T): [keyof T & string, string] {
  const given = Object.entries(keys).filter(([, value]) => value != null) as [keyof T & string, string][];
  if (given.length !== 1) {
    const names = Object.keys(keys).map((name) => `\`${name}\``);
    throw new BadInputError(`pass exactly one of ${names.join(' or ')}`, Object.keys(keys)[0]);
  }
  return given[0]!;
}

/** A half-open time window [from, to) as a filter on one property; refuses an inverted window. */
export function timeWindow(
  property: string,
  from: Instant | null | undefined,
  to: Instant | null | undefined,
  argumentPrefix: string,
): Record<string, { $gte?: Instant; $lt?: Instant }> {
  if (from && to && compareInstants(from, to) >= 0) {
    throw new BadInputError(
      `\`${argumentPrefix}From\` must be before \`${argumentPrefix}To\``,
      `${argumentPrefix}From`,
    );
  }
  if (!from && !to) return {};
  return { [property]: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } };
}
