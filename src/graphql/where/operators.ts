import { type ClassType, Field, Float, getMetadataStorage, InputType, Int } from 'type-graphql';
import type { GraphQLScalarType } from 'graphql';
import { DateTime } from '../date-time.scalar';
import { Decimal } from '../decimal.scalar';

/**
 * The operators of a `where:` field, one input type per scalar kind, in the
 * PostGraphile connection-filter style. Every operator given must hold; an
 * operator given as null, and an empty object `{}`, add no condition.
 * Comparisons never match a null value (two-valued: `not` of one does);
 * `isNull` is the one operator that sees nulls.
 */
export type Operators = {
  eq?: unknown;
  ne?: unknown;
  in?: unknown[] | null;
  notIn?: unknown[] | null;
  lt?: unknown;
  lte?: unknown;
  gt?: unknown;
  gte?: unknown;
  startsWith?: string | null;
  contains?: string | null;
  ilike?: string | null;
  isNull?: boolean | null;
};

const IN = 'Any of these values (at most 1,000); an empty list matches nothing.';
const NOT_IN = 'None of these values (at most 1,000); an empty list adds no condition.';
const IS_NULL = 'true: the value is null; false: it is not.';

@InputType({ description: 'Conditions on a text value; all given must hold.' })
export class StringOperators {
  @Field(() => String, { nullable: true, description: 'Equal to (case-sensitive).' })
  eq?: string | null;

  @Field(() => String, { nullable: true, description: 'Not equal to; a null value matches neither eq nor ne.' })
  ne?: string | null;

  @Field(() => [String], { nullable: true, description: IN })
  in?: string[] | null;

  @Field(() => [String], { nullable: true, description: NOT_IN })
  notIn?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Starts with this text, taken literally (`%`, `_` and `\\` are no wildcards); case-sensitive.',
  })
  startsWith?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Contains this text, taken literally (`%`, `_` and `\\` are no wildcards); case-sensitive.',
  })
  contains?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Matches this SQL ILIKE pattern, case-insensitively: `%` is any text, `_` any one character, ' +
      '`\\` makes the next character literal. Unanchored patterns (`%…`) read every row.',
  })
  ilike?: string | null;

  @Field(() => Boolean, { nullable: true, description: IS_NULL })
  isNull?: boolean | null;
}

/** The ordered kinds share one shape; only the scalar differs. */
function orderedOperators(scalar: GraphQLScalarType, name: string, what: string) {
  @InputType(name, { description: `Conditions on ${what}; all given must hold.` })
  class OrderedOperators {
    @Field(() => scalar, { nullable: true, description: 'Equal to.' })
    eq?: unknown;

    @Field(() => scalar, { nullable: true, description: 'Not equal to; a null value matches neither eq nor ne.' })
    ne?: unknown;

    @Field(() => [scalar], { nullable: true, description: IN })
    in?: unknown[] | null;

    @Field(() => [scalar], { nullable: true, description: NOT_IN })
    notIn?: unknown[] | null;

    @Field(() => scalar, { nullable: true, description: 'Less than.' })
    lt?: unknown;

    @Field(() => scalar, { nullable: true, description: 'Less than or equal to.' })
    lte?: unknown;

    @Field(() => scalar, { nullable: true, description: 'Greater than.' })
    gt?: unknown;

    @Field(() => scalar, { nullable: true, description: 'Greater than or equal to.' })
    gte?: unknown;

    @Field(() => Boolean, { nullable: true, description: IS_NULL })
    isNull?: boolean | null;
  }
  return OrderedOperators;
}

export const DecimalOperators = orderedOperators(Decimal, 'DecimalOperators', 'an exact decimal (compared exactly)');
export const IntOperators = orderedOperators(Int, 'IntOperators', 'an integer');
export const FloatOperators = orderedOperators(Float, 'FloatOperators', 'a floating-point number');
export const DateTimeOperators = orderedOperators(
  DateTime,
  'DateTimeOperators',
  'an instant (compared to the microsecond)',
);

const enumOperators = new Map<object, ClassType>();

/** `<Enum>Operators { eq, ne, in, notIn }` for a registered enum, defined once however many lists use it. */
export function enumOperatorsOf(enumObject: object): ClassType {
  const known = enumOperators.get(enumObject);
  if (known) return known;
  const registered = getMetadataStorage().enums.find((candidate) => candidate.enumObj === enumObject);
  if (!registered) throw new Error('enumOperatorsOf: the enum is not registered with registerEnumType');

  @InputType(`${registered.name}Operators`, { description: `Conditions on a ${registered.name}; all given must hold.` })
  class EnumOperators {
    @Field(() => enumObject, { nullable: true, description: 'Equal to.' })
    eq?: unknown;

    @Field(() => enumObject, { nullable: true, description: 'Not equal to.' })
    ne?: unknown;

    @Field(() => [enumObject], { nullable: true, description: IN })
    in?: unknown[] | null;

    @Field(() => [enumObject], { nullable: true, description: NOT_IN })
    notIn?: unknown[] | null;
  }
  enumOperators.set(enumObject, EnumOperators);
  return EnumOperators;
}
