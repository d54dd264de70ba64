import type { EntityClass } from '@mikro-orm/core';
import { type ClassType, Field, Float, getMetadataStorage, InputType, Int } from 'type-graphql';
import { persistedColumnsOf } from '../../database/entity-metadata';
import { DateTime } from '../../graphql/date-time.scalar';
import { Decimal } from '../../graphql/decimal.scalar';
import { JsonFilter } from '../../graphql/json-filter';
import { GraphQLJSON, GraphQLJSONObject } from '../../graphql/json.scalar';
import {
  DateTimeOperators,
  DecimalOperators,
  enumOperatorsOf,
  FloatOperators,
  IntOperators,
  StringOperators,
} from '../../graphql/where/operators';
import { addRelationFields } from './relation-wheres';

type FieldMetadata = ReturnType<typeof getMetadataStorage>['fields'][number];

type WhereOptions = {
  /** The input type's name, e.g. TradeDecisionWhere. */
  name: string;
  /** The list's records, for the description: "decisions". */
  records: string;
  /**
   * Columns kept out, each for a stated reason: a bigint shown as String
   * would get text operators (`startsWith` on a number), and so on.
   */
  exclude?: readonly string[];
  /** Descriptions that say more than the object type's own (a derived value, say). */
  descriptions?: Readonly<Record<string, string>>;
  /**
   * Fields that are conditions of their own, not columns (the integrity
   * predicates, full-text matches): each with its input type and
   * description; src/queries/where-predicates.ts compiles them.
   */
  predicates?: Readonly<Record<string, { type: () => unknown; description: string }>>;
};

/**
 * The operator input type for a field's GraphQL type over its column's SQL
 * type; any other pairing is refused, so a new kind is placed on purpose
 * (text operators on a bigint shown as String would compare digits as text).
 */
function operatorsOf(field: FieldMetadata, columnType: string, where: string): ClassType {
  const type = field.getType();
  if (field.typeOptions.array) throw new Error(`${where}: no where operators for lists; exclude the field`);
  if (type === String && columnType !== 'text') throw new Error(`${where}: a ${columnType} shown as String`);
  if (type === String) return StringOperators;
  if (type === Float) return FloatOperators;
  if (type === Decimal) return DecimalOperators;
  if (type === DateTime) return DateTimeOperators;
  if (type === Int) return IntOperators;
  if (type === GraphQLJSON || type === GraphQLJSONObject) return JsonFilter;
  if (typeof type === 'object' && type !== null) return enumOperatorsOf(type);
  throw new Error(`${where}: no where operators for its type; add them or exclude the field`);
}

/**
 * The `where:` input type of a list, made from what the entity already says:
 * a field per column that is also a field of the object type (so a column
 * added to both is filterable with no edit here), typed by that field's
 * GraphQL type, plus a field per relation of its node type (see
 * addRelationFields) and `and`, `or` and `not`. Derived-only fields (`id`,
 * `databaseId`) have no column of their own and drop out.
 * test/where-metadata.test.ts lists what each type ends up with.
 */
export function whereInputOf(entity: EntityClass<unknown>, options: WhereOptions): ClassType {
  const columns = new Map(persistedColumnsOf(entity).map(({ property, columnType }) => [property, columnType]));
  const excluded = new Set(options.exclude ?? []);
  const fields = getMetadataStorage().fields.filter(
    (field) => field.target === entity && columns.has(field.name) && !excluded.has(field.name),
  );

  const Where = { [options.name]: class {} }[options.name]!;
  for (const field of fields) {
    const operators = operatorsOf(field, columns.get(field.name)!, `${entity.name}.${field.name}`);
    Field(() => operators, {
      nullable: true,
      description: options.descriptions?.[field.name] ?? field.description,
    })(Where.prototype, field.name);
  }
  addRelationFields(entity, Where, options.records);
  for (const [name, predicate] of Object.entries(options.predicates ?? {})) {
    if (columns.has(name)) throw new Error(`${options.name}.${name}: a predicate may not shadow a column`);
    Field(predicate.type as () => ClassType, { nullable: true, description: predicate.description })(
      Where.prototype,
      name,
    );
  }
  Field(() => [Where], { nullable: true, description: 'Every one of these holds; `[]` adds no condition.' })(
    Where.prototype,
    'and',
  );
  Field(() => [Where], { nullable: true, description: 'At least one of these holds; `[]` matches nothing.' })(
    Where.prototype,
    'or',
  );
  Field(() => Where, { nullable: true, description: 'This does not hold.' })(Where.prototype, 'not');
  InputType(options.name, {
    description:
      `Conditions on ${options.records}: every field given must hold (and, or, not and relations nest at most ` +
      '10 deep). Comparisons never match a null value; isNull does.',
  })(Where);
  return Where;
}
