import { canonicalJson } from './canonical-json';

/**
 * A corrected record's original content (issue 23: "the original stays
 * provable"). A correction updates its record's row, so the row holds the
 * corrected values; every correction keeps the values it superseded, as the
 * API wrote them. Putting those back, newest correction first, gives the
 * record as first written — whether the row was integrated before its
 * corrections or after — so its leaf is its original content, and so is
 * every re-encoding of it (verify --full, proofs, bundles).
 */

type Values = Record<string, unknown>;

/** What a record's leaf needs of one of its corrections, as the API wrote them. */
export type AppliedCorrection = { corrected: Values; superseded: Values };

/**
 * SQL: the corrections of row `<alias>.id` of `table` (`{corrected,
 * superseded}` each), newest first, as JSON array text; null when it has none.
 */
export const correctionsSql = (table: string, alias: string): string =>
  `(select json_agg(json_build_object('corrected', c.corrected, 'superseded', c.superseded) order by c.id desc)
      from record_corrections c where c.subject_table = '${table}' and c.subject_id = ${alias}.id)::text`;

/**
 * The key a re-encoded record carries when its row does not hold what its
 * newest corrections set (a value changed behind the correction trigger): no
 * leaf has it, so the record no longer hashes to its leaf and is named, even
 * when the value was put back to the one first written.
 */
export const CORRECTIONS_DISAGREE = 'correctionsDisagree';

/**
 * `record` (as the API answers it now) with each superseded object put back,
 * newest first: the original. Where a corrected field's value is not its
 * newest correction's, the fields that differ are listed under
 * CORRECTIONS_DISAGREE instead.
 */
export function originalValues(record: Values, newestFirst: readonly AppliedCorrection[]): Values {
  const current = new Map<string, unknown>();
  for (const { corrected } of newestFirst)
    for (const [field, value] of Object.entries(corrected)) if (!current.has(field)) current.set(field, value);
  const disagree = [...current].filter(([field, value]) => canonicalJson(record[field]) !== canonicalJson(value));
  if (disagree.length > 0) return { ...record, [CORRECTIONS_DISAGREE]: disagree.map(([field]) => field) };
  const original: Values = { ...record };
  for (const { superseded } of newestFirst)
    for (const [field, value] of Object.entries(superseded)) original[field] = value;
  return original;
}
