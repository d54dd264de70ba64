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

/**
 * SQL: the `superseded` objects of the corrections of row `<alias>.id` of
 * `table`, newest first, as JSON array text; null when it has none.
 */
export const supersededSql = (table: string, alias: string): string =>
  `(select json_agg(c.superseded order by c.id desc) from record_corrections c
     where c.subject_table = '${table}' and c.subject_id = ${alias}.id)::text`;

/** `record` (as the API answers it now) with each superseded object put back, newest first: the original. */
export function originalValues(record: Values, supersededNewestFirst: readonly Values[]): Values {
  const original: Values = { ...record };
  for (const superseded of supersededNewestFirst)
    for (const [field, value] of Object.entries(superseded)) original[field] = value;
  return original;
}
