/**
 * SQL conditions with `?` placeholders, combined in two-valued logic: null
 * is "no condition" (true), FALSE matches nothing, and each combinator folds
 * them away, so an empty `and`, a `{}` or an `every` of nothing adds no SQL.
 */
export type Condition = { sql: string; params: unknown[] };

export const TRUE = null;
export const FALSE: Condition = { sql: 'false', params: [] };

/** The conjunction; null (no condition) when every part is null. */
export function all(parts: readonly (Condition | null)[]): Condition | null {
  const given = parts.filter((part): part is Condition => part != null);
  if (given.length === 0) return TRUE;
  if (given.length === 1) return given[0]!;
  return { sql: given.map(({ sql }) => `(${sql})`).join(' and '), params: given.flatMap(({ params }) => params) };
}

/** The disjunction: an empty `or` matches nothing, a branch without a condition matches everything. */
export function any(parts: readonly (Condition | null)[]): Condition | null {
  if (parts.length === 0) return FALSE;
  if (parts.some((part) => part == null)) return TRUE;
  const given = parts as Condition[];
  if (given.length === 1) return given[0]!;
  return { sql: given.map(({ sql }) => `(${sql})`).join(' or '), params: given.flatMap(({ params }) => params) };
}

/** The negation: of no condition, nothing; of FALSE, no condition. */
export function negation(part: Condition | null): Condition | null {
  if (part === FALSE) return TRUE;
  return part == null ? FALSE : { sql: `not (${part.sql})`, params: part.params };
}
