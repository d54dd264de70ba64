import type { EntityClass } from '@mikro-orm/core';
import { type ClassType, Field, getMetadataStorage, Int, ObjectType, registerEnumType } from 'type-graphql';
import { manyToOneTargetOf } from '../../database/entity-metadata';
import { Decimal } from '../../graphql/decimal.scalar';
import { AVERAGE_SCALE, groupByValueOf } from '../../queries/aggregate/aggregate';
import {
  AGGREGATE_FAMILIES,
  type AggregateFamilyName,
  type GroupKey,
} from '../../queries/aggregate/aggregate-families';

@ObjectType({
  description:
    "A measure over a group's records that have it (null when none has), as exact decimals: " +
    `the average is rounded half away from zero to ${AVERAGE_SCALE} decimal places.`,
})
export class DecimalStats {
  @Field(() => Decimal, { nullable: true, description: 'The sum, exact.' }) sum!: string | null;
  @Field(() => Decimal, { nullable: true, description: `The mean, to ${AVERAGE_SCALE} decimal places.` })
  avg!: string | null;
  @Field(() => Decimal, { nullable: true, description: 'The least value.' }) min!: string | null;
  @Field(() => Decimal, { nullable: true, description: 'The greatest value.' }) max!: string | null;
}

const TIME_DESCRIPTIONS = {
  day: 'The local day, YYYY-MM-DD, in timeZone.',
  week: 'The ISO week (Monday to Sunday) by the local date of its Monday, YYYY-MM-DD, in timeZone.',
  month: 'The month by the local date of its first day, YYYY-MM-01, in timeZone.',
} as const;

/** The object type's field of an entity's property: a key shows the same type and description as the record. */
function fieldOf(entity: EntityClass<unknown>, property: string) {
  const field = getMetadataStorage().fields.find(
    (candidate) => candidate.target === entity && candidate.name === property,
  );
  if (!field) throw new Error(`${entity.name}.${property} is no GraphQL field to group by`);
  return field;
}

function keyField(entity: EntityClass<unknown>, key: GroupKey): { type: () => unknown; description?: string } {
  if ('unit' in key) return { type: () => String, description: TIME_DESCRIPTIONS[key.unit] };
  const owner = 'relation' in key ? manyToOneTargetOf(entity, key.relation) : entity;
  const field = fieldOf(owner, key.property);
  return { type: () => field.getType(), description: key.description ?? field.description };
}

export type AggregateTypes = { GroupBy: Record<string, string>; Group: ClassType };

/**
 * The GraphQL side of an aggregate family: the enum of its keys
 * (`TradeDecisionGroupBy`), the object of a group's keys (each typed as the
 * record's own field), and the group (`TradeDecisionGroup`) with its count
 * and a DecimalStats per measure — all made from AGGREGATE_FAMILIES.
 */
export function aggregateTypesOf(name: AggregateFamilyName): AggregateTypes {
  const family = AGGREGATE_FAMILIES[name];
  const entity = family.entity as EntityClass<unknown>;
  const keyNames = Object.keys(family.keys);
  const GroupBy = Object.fromEntries(keyNames.map((key) => [groupByValueOf(key), key]));
  registerEnumType(GroupBy, {
    name: `${name}GroupBy`,
    description: `A key ${family.records} can be grouped by.`,
  });

  const Keys = { [`${name}GroupKeys`]: class {} }[`${name}GroupKeys`]!;
  for (const key of keyNames) {
    const { type, description } = keyField(entity, family.keys[key as never]);
    Field(type as never, { nullable: true, description })(Keys.prototype, key);
  }
  ObjectType(`${name}GroupKeys`, { description: 'The keys of a group: the ones grouped by; the others are null.' })(
    Keys,
  );

  const Group = { [`${name}Group`]: class {} }[`${name}Group`]!;
  Field(() => Keys, { description: 'What the records of this group share.' })(Group.prototype, 'keys');
  Field(() => Int, { description: 'How many records the group holds.' })(Group.prototype, 'count');
  for (const [measure, { description }] of Object.entries(family.measures) as [string, { description: string }][])
    Field(() => DecimalStats, { description })(Group.prototype, measure);
  ObjectType(`${name}Group`, { description: `A group of ${family.records} that share the keys grouped by.` })(Group);
  return { GroupBy, Group };
}
