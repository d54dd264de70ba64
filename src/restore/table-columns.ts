import type { Queryable } from '../integrator/pg-hash-store';

/** A stored column of a table as the catalog has it: its name and its SQL type (typmod included). */
export type TableColumn = { name: string; type: string };

/**
 * The session settings under which a column's `::text` is the same bytes on
 * any server, whatever its configuration: timestamps in UTC and ISO style,
 * bytea as hex, floats with every digit, intervals in ISO 8601. Both export
 * (reading `::text`) and restore (casting it back) run under them, so a value
 * makes the round trip through its own type's output and input functions only.
 */
export const EXACT_TEXT_SETTINGS =
  "set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set bytea_output = 'hex'; " +
  "set extra_float_digits = 3; set intervalstyle = 'iso_8601'";

/**
 * The table's columns in their order, without generated ones (PostgreSQL
 * computes those again on insert: a search vector, for one).
 */
export async function tableColumns(connection: Queryable, table: string): Promise<TableColumn[]> {
  const { rows } = await connection.query<TableColumn>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      order by a.attnum`,
    [`public.${table}`],
  );
  return rows;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * SQL of one row of `alias` as a JSON object of PostgreSQL's text of every
 * column (a JSON string, or null): `payload::text`, `price::text`, never a
 * value parsed by JavaScript, so a body or a numeric leaves and comes back
 * byte for byte.
 */
export const rowTextJsonSql = (columns: readonly TableColumn[], alias: string): string =>
  `json_build_object(${columns.map(({ name }) => `${literal(name)}, ${alias}.${quoted(name)}::text`).join(', ')})`;

/**
 * An insert of rows given as one JSON array (`$1`) of objects of column
 * texts, each cast back by its column's type; `overriding system value`
 * keeps the exported ids of identity columns as it does serial ones.
 */
export function insertRowsSql(table: string, columns: readonly TableColumn[]): string {
  const names = columns.map(({ name }) => quoted(name)).join(', ');
  const values = columns.map(({ name, type }) => `(r ->> ${literal(name)})::${type}`).join(', ');
  return `insert into ${quoted(table)} (${names}) overriding system value
            select ${values} from json_array_elements($1::json) with ordinality as x(r, n) order by n`;
}
