import type { EntityClass } from '@mikro-orm/core';
import { Float, getMetadataStorage, Int } from 'type-graphql';
import { GraphQLError, GraphQLFloat, GraphQLInt, type GraphQLScalarType } from 'graphql';
import { BadInputError } from '../base/errors';
import { valueHoldsUnstorableText } from '../base/unstorable-text';
import { DateTime } from '../graphql/date-time.scalar';
import { toGlobalId } from '../graphql/global-id';
import { Decimal } from '../graphql/decimal.scalar';
import { GraphQLJSON, GraphQLJSONObject } from '../graphql/json.scalar';
import { fromGlobalId } from '../lineage/global-id';
import { NODE_TYPES, type NodeType, tableOf } from '../lineage/node-types';
import { columnsOf, RELATION_FIELDS } from '../lineage/relations';
import { derivedColumns } from '../queries/current-status';
import { recordFieldsOf } from '../integrator/record-fields';
import { checkDecimal, checkText } from '../record/input-checks';
import { DECIMAL_RULES } from '../record/field-rules';

/**
 * How the database compares a correction's value with a column (the
 * correction trigger's `kind`): instants and decimals by value, enums by
 * their GraphQL name, relations by the target's global id, the rest as JSON.
 */
export type CorrectionKind = 'instant' | 'decimal' | 'enum' | 'relation' | 'value';

/**
 * A field a correction may set: its GraphQL name and column, how the
 * trigger compares it, and `parse`, which checks a value as the record
 * mutations check it and gives the column's value (null allowed where the
 * field is nullable). A relation's target must also exist (checked when
 * written).
 */
export type CorrectableField = {
  name: string;
  column: string;
  kind: CorrectionKind;
  /** An enum's stored values → GraphQL names; a relation's target type. */
  enumNames?: Record<string, string>;
  target?: NodeType;
  parse(value: unknown, where: string): unknown;
  /** The column's value, as a row's JSON gives it (columnJsonSql), as the API writes it. */
  toApi(value: unknown): unknown;
};

/** Not correctable, whatever the type: identity, the producer's key, when it was written. */
const FIXED = new Set(['id', 'databaseId', 'createdAt']);

/** A body is the record's by its hash (README "Proofs"), its size with it: never corrected. */
const BODIES: Partial<Record<NodeType, readonly string[]>> = { ApiPayload: ['payload', 'payloadBytes'] };

const isEnum = (type: unknown): type is Record<string, string> =>
  typeof type === 'object' && type !== null && !('toConfig' in type) && !Array.isArray(type);

/** A scalar's parseValue, its GraphQLError as BAD_USER_INPUT naming the field. */
function viaScalar(scalar: GraphQLScalarType, value: unknown, where: string): unknown {
  try {
    return scalar.parseValue(value);
  } catch (error) {
    // The scalars quote the value whole; a hostile one may be long.
    if (error instanceof GraphQLError)
      throw new BadInputError(
        `${where}: ${error.message.length > 300 ? `${error.message.slice(0, 300)}…` : error.message}`,
        where,
      );
    throw error;
  }
}

function storable<T>(value: T, where: string): T {
  if (valueHoldsUnstorableText(value))
    throw new BadInputError(`${where} holds a character PostgreSQL cannot store (NUL or a lone surrogate)`, where);
  return value;
}

/** One value of `type`, checked; the column's value. */
function parseOne(type: unknown, value: unknown, where: string, decimalRule?: 'positive' | 'not negative'): unknown {
  if (type === DateTime || type === Decimal) {
    const parsed = viaScalar(type as GraphQLScalarType, value, where) as string;
    if (decimalRule) checkDecimal(parsed, where, decimalRule);
    return parsed;
  }
  if (type === Int || type === GraphQLInt) return viaScalar(GraphQLInt, value, where);
  if (type === Float || type === GraphQLFloat) return viaScalar(GraphQLFloat, value, where);
  if (type === GraphQLJSON) return storable(value, where);
  if (type === GraphQLJSONObject) return storable(viaScalar(GraphQLJSONObject, value, where), where);
  if (type === String) {
    if (typeof value !== 'string') throw new BadInputError(`${where} must be a string`, where);
    checkText(value, where);
    return storable(value, where);
  }
  if (isEnum(type)) {
    const names = Object.keys(type);
    if (typeof value !== 'string' || !Object.hasOwn(type, value))
      throw new BadInputError(`${where} must be one of ${names.join(', ')}`, where);
    return type[value];
  }
  throw new Error(`no correction parser for the GraphQL type of ${where}`);
}

function fieldsOf(type: NodeType): Map<string, CorrectableField> {
  const { entity, externalKey } = NODE_TYPES[type];
  const derived = new Set(derivedColumns(tableOf(type), 't').map(({ property }) => property));
  const external = getMetadataStorage().fields.find((field) => field.name === externalKey)?.schemaName ?? externalKey;
  const fields = new Map<string, CorrectableField>();
  for (const field of recordFieldsOf(entity as EntityClass<unknown>, derived)) {
    // A derived property (a status) is answered from later records; its recorded value is not the API's to correct.
    if (derived.has(field.property) || FIXED.has(field.name) || field.name === external) continue;
    if (BODIES[type]?.includes(field.name)) continue;
    const rule = DECIMAL_RULES[type]?.[field.name];
    const { graphqlType, list, nullable } = field;
    fields.set(field.name, {
      name: field.name,
      column: field.column,
      kind:
        graphqlType === DateTime
          ? 'instant'
          : graphqlType === Decimal
            ? 'decimal'
            : isEnum(graphqlType)
              ? 'enum'
              : 'value',
      ...(isEnum(graphqlType)
        ? { enumNames: Object.fromEntries(Object.entries(graphqlType).map(([name, stored]) => [stored, name])) }
        : {}),
      toApi: field.convert,
      parse(value, where) {
        if (value === null) {
          if (!nullable) throw new BadInputError(`${where} cannot be null`, where);
          return null;
        }
        if (!list) return parseOne(graphqlType, value, where, rule);
        if (!Array.isArray(value) || value.length > 100)
          throw new BadInputError(`${where} must be a list of at most 100 values`, where);
        return value.map((item, index) => parseOne(graphqlType, item, `${where}[${index}]`, rule));
      },
    });
  }
  for (const direction of [...RELATION_FIELDS.values()].flat()) {
    if (direction.at !== type || !direction.one) continue;
    const target = direction.leadsTo;
    fields.set(direction.field, {
      name: direction.field,
      column: columnsOf(direction).far,
      kind: 'relation',
      target,
      toApi: (value) => (value == null ? null : toGlobalId(target, String(value))),
      parse(value, where) {
        if (value === null) return null;
        if (typeof value !== 'string') throw new BadInputError(`${where} must be the global id of a ${target}`, where);
        return fromGlobalId(value, where, target).databaseId;
      },
    });
  }
  return fields;
}

/**
 * Per node type, the fields a correction may set: its stored GraphQL fields
 * but its id, external key, createdAt, recorded status and body; its to-one
 * relations by global id.
 */
export const CORRECTABLE_FIELDS: ReadonlyMap<NodeType, ReadonlyMap<string, CorrectableField>> = new Map(
  (Object.keys(NODE_TYPES) as NodeType[]).map((type) => [type, fieldsOf(type)]),
);

/** What the correction trigger of `type`'s table is given: `{field: {column, kind, enum?, type?}}`. */
export function triggerFieldsOf(type: NodeType): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...CORRECTABLE_FIELDS.get(type)!.values()].map((field) => [
      field.name,
      {
        column: field.column,
        kind: field.kind,
        ...(field.enumNames ? { enum: field.enumNames } : {}),
        ...(field.target ? { type: field.target } : {}),
      },
    ]),
  );
}
