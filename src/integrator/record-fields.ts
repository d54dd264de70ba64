import type { EntityClass } from '@mikro-orm/core';
import { Float, getMetadataStorage } from 'type-graphql';
import { persistedColumnsOf } from '../database/entity-metadata';
import { DateTime } from '../graphql/date-time.scalar';
import { instantFromDatabase } from '../time/instant';
import { recordedPropertyOf } from '../queries/read-model';

/**
 * One GraphQL field of a record that is a stored column: the name the API
 * answers it under, the column, and how the column's value (as a row's JSON
 * gives it, see columnJsonSql) becomes the value the API writes.
 */
export type RecordField = {
  name: string;
  column: string;
  convert: (value: unknown) => unknown;
  /** The entity's property, its GraphQL type (a scalar or an enum object), whether a list of it, whether nullable. */
  property: string;
  graphqlType: unknown;
  list: boolean;
  nullable: boolean;
};

const asIs = (value: unknown) => value;
const asInstant = (value: unknown) => (value == null ? null : instantFromDatabase(value as string));
// A double comes out of json_build_object in PostgreSQL's spelling (1e-05); the API writes JavaScript's (0.00001).
const asFloat = (value: unknown) => (value == null ? null : Number(String(value)));

/** GraphQL enum values are the enum's keys (`rateLimited`), rows hold its values (`rate_limited`). */
function enumConverter(enumObject: Record<string, string>): (value: unknown) => unknown {
  const names = new Map(Object.entries(enumObject).map(([name, value]) => [value, name]));
  return (value) => (value == null ? null : (names.get(value as string) ?? value));
}

function converterOf(type: unknown): (value: unknown) => unknown {
  if (type === DateTime) return asInstant;
  if (type === Float) return asFloat;
  if (typeof type === 'object' && type !== null && !('toConfig' in type) && !Array.isArray(type))
    return enumConverter(type as Record<string, string>);
  // String, ID, Int, Decimal (numeric as text), JSON (parsed exactly), lists of strings.
  return asIs;
}

/** The classes whose GraphQL fields an entity has: itself and the classes it extends. */
function lineageOf(entity: EntityClass<unknown>): unknown[] {
  const classes: unknown[] = [];
  for (let target: unknown = entity; typeof target === 'function' && target !== Function.prototype;) {
    classes.push(target);
    target = Object.getPrototypeOf(target);
  }
  return classes;
}

/**
 * The GraphQL fields of `entity` that are stored columns of its row (a
 * field declared on a property MikroORM persists; getters such as `id`,
 * `databaseId` or `seq` are not), from type-graphql's and MikroORM's
 * metadata. A property in `derived` (the API answers a value derived from
 * later records) is answered as written under `recorded<Property>`.
 */
export function recordFieldsOf(entity: EntityClass<unknown>, derived: ReadonlySet<string>): RecordField[] {
  const columns = new Map(persistedColumnsOf(entity).map((column) => [column.property, column.column]));
  const classes = lineageOf(entity);
  return getMetadataStorage()
    .fields.filter((field) => classes.includes(field.target) && columns.has(field.name))
    .map((field) => ({
      name: derived.has(field.name) ? recordedPropertyOf(field.name) : field.schemaName,
      column: columns.get(field.name)!,
      convert: converterOf(field.getType()),
      property: field.name,
      graphqlType: field.getType(),
      list: Boolean(field.typeOptions.array),
      nullable: Boolean(field.typeOptions.nullable),
    }));
}

/** Columns a row's JSON carries as text, so no digit or microsecond is lost on the way. */
const AS_TEXT = /^(bigint|bigserial|numeric|decimal|timestamp)/;

/**
 * `'column', t.column` pairs of json_build_object for `columns` of
 * `entity`: keys, numerics and timestamps as text, jsonb nested (its numbers
 * kept exactly by parseExactJson).
 */
export function columnJsonSql(entity: EntityClass<unknown>, alias: string, columns: readonly string[]): string {
  const types = new Map(persistedColumnsOf(entity).map((column) => [column.column, column.columnType]));
  return columns
    .map((column) => `'${column}', ${alias}.${column}${AS_TEXT.test(types.get(column) ?? '') ? '::text' : ''}`)
    .join(', ');
}
