import { tableNameOf } from '../database/entity-metadata';
import { RecordCorrection } from '../entities/record-correction.entity';
import { nodeTypeOfTable } from '../lineage/node-types';
import { type CorrectableField, CORRECTABLE_FIELDS, triggerFieldsOf } from './correctable-fields';

const CORRECTIONS = tableNameOf(RecordCorrection);

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A global id (base64url of `Type:id`, unpadded) as the database id it names, SQL on text `id`. */
const databaseIdOf = (id: string) =>
  `split_part(convert_from(decode(translate(${id}, '-_', '+/') || repeat('=', (4 - length(${id}) % 4) % 4), 'base64'), 'UTF8'), ':', 2)`;

/**
 * A superseded value (jsonb `value`, as the API wrote it) as its column takes
 * it in jsonb_populate_record: an enum's GraphQL name as its stored value, a
 * relation's global id as the target's id; instants, decimals and the rest
 * as they are (their text is the column's input).
 */
function columnValueSql(field: CorrectableField, value: string): string {
  if (field.kind === 'enum') {
    const stored = Object.fromEntries(
      Object.entries(field.enumNames!).map(([storedValue, name]) => [name, storedValue]),
    );
    return `coalesce(${literal(JSON.stringify(stored))}::jsonb -> (${value} #>> '{}'), ${value})`;
  }
  if (field.kind === 'relation') return `to_jsonb(${databaseIdOf(`(${value} #>> '{}')`)})`;
  return value;
}

/**
 * SQL: per corrected row of `table`, `subject_id`; `columns`, a jsonb object
 * of the original value of every column its corrections changed (the oldest
 * correction's `superseded` value of each field, in the column's terms); and
 * `corrected`, the newest correction's value of each field (as the API wrote
 * it). None for a table without correctable fields.
 */
function correctionsOfRowsSql(table: string, fields: readonly CorrectableField[]): string {
  const byField = (of: (field: CorrectableField) => string) =>
    `case s.field ${fields.map((field) => `when ${literal(field.name)} then ${of(field)}`).join(' ')} end`;
  const values = (side: 'superseded' | 'corrected', first: 'asc' | 'desc') =>
    `select distinct on (c.subject_id, k.key) c.subject_id, k.key as field, k.value
       from ${CORRECTIONS} c cross join lateral jsonb_each(c.${side}) k
      where c.subject_table = ${literal(table)} and k.key in (${fields.map((field) => literal(field.name)).join(', ')})
      order by c.subject_id, k.key, c.id ${first}`;
  return `
    select o.subject_id, o.columns, n.corrected
      from (select s.subject_id, jsonb_object_agg(${byField((field) => literal(field.column))},
                     case when jsonb_typeof(s.value) = 'null' then s.value
                          else ${byField((field) => columnValueSql(field, 's.value'))} end) as columns
              from (${values('superseded', 'asc')}) s group by s.subject_id) o
      join (select s.subject_id, jsonb_object_agg(s.field, s.value) as corrected
              from (${values('corrected', 'desc')}) s group by s.subject_id) n on n.subject_id = o.subject_id`;
}

/**
 * For a check that reads whole rows of `table` (alias `alias`) and must see
 * them as first written — the legacy chain hashed `to_jsonb` of the row when
 * it was inserted, and a correction since changed the row (issue 23: "the
 * original stays provable"): `join`, to put after `from <table> <alias>`, and
 * `row`, the row's jsonb with every corrected column's original value put
 * back, or the row's own for a row never corrected. A corrected row whose
 * columns do not hold its newest corrections' values (changed behind the
 * correction trigger) gets the key `auditgraph_corrections_disagree`, so it
 * hashes to nothing it was written as. The comparison is the correction
 * trigger's own (auditgraph_correction_matches); the leaves' counterpart is
 * src/integrator/original-values.ts, in the API's terms.
 */
export function originalRowSql(table: string, alias: string): { join: string; row: string } {
  const type = nodeTypeOfTable(table);
  const fields = type ? [...CORRECTABLE_FIELDS.get(type)!.values()] : [];
  if (fields.length === 0) return { join: '', row: `to_jsonb(${alias})` };
  const original = `${alias}_original`;
  const specs = `${literal(JSON.stringify(triggerFieldsOf(type!)))}::jsonb`;
  const agrees = `not exists (select from jsonb_each(${original}.corrected) k
    where not auditgraph_correction_matches(${specs} -> k.key, k.value, to_jsonb(${alias}) -> (${specs} -> k.key ->> 'column')))`;
  return {
    join: `left join (${correctionsOfRowsSql(table, fields)}) ${original} on ${original}.subject_id = ${alias}.id`,
    row: `(case when ${original}.subject_id is null then to_jsonb(${alias})
                when ${agrees} then to_jsonb(jsonb_populate_record(${alias}, ${original}.columns))
                else to_jsonb(${alias}) || '{"auditgraph_corrections_disagree": true}'::jsonb end)`,
  };
}
