import type { EntityClass } from '@mikro-orm/core';
import { type ClassType, Field, InputType } from 'type-graphql';
import { NODE_TYPE_NAMES, NODE_TYPES, type NodeType } from '../../lineage/node-types';
import { RELATION_FIELDS } from '../../lineage/relations';

/** Each node type's `where:` input, and its `some`/`every`/`none` input where it is a list's target. */
const WHERE_OF = new Map<NodeType, ClassType>();
const LIST_WHERE_OF = new Map<NodeType, ClassType>();

const relationsOf = (type: NodeType) => [...RELATION_FIELDS.values()].filter(([direction]) => direction!.at === type);
const isListTarget = (type: NodeType) =>
  [...RELATION_FIELDS.values()].some(([direction]) => !direction!.one && direction!.leadsTo === type);

/** The registered input of `type` (by schema build time every node type's exists; thunks read it then). */
function registered(inputs: Map<NodeType, ClassType>, type: NodeType): ClassType {
  const input = inputs.get(type);
  if (!input) throw new Error(`no where: input was made for ${type}`);
  return input;
}

/**
 * The `some`/`every`/`none` input over a list of `type`, made beside its
 * `where:` input. Two-valued like the rest: a related row with a null where a
 * comparison looks fails that comparison.
 */
function listWhereOf(type: NodeType, Where: ClassType, records: string): ClassType {
  const name = `${type}ListWhere`;
  const ListWhere = { [name]: class {} }[name]!;
  const quantifiers = {
    some: `At least one of the ${records} matches; false for an empty list.`,
    every: `Every one of the ${records} matches; true for an empty list (none fails).`,
    none: `None of the ${records} matches; true for an empty list.`,
  };
  for (const [quantifier, description] of Object.entries(quantifiers))
    Field(() => Where, { nullable: true, description })(ListWhere.prototype, quantifier);
  InputType(name, {
    description:
      `Conditions on a list of ${records} a record leads to, each an EXISTS over the edge's index; ` +
      'every quantifier given must hold.',
  })(ListWhere);
  return ListWhere;
}

/**
 * One field per relation field of the entity's node type, from the lineage
 * registry (an edge added there is filterable with no edit here): a to-one
 * takes the target's `where:` input (the related node exists and matches),
 * a list the target's `some`/`every`/`none` input. The inputs refer to each
 * other, so the fields' types are thunks, read when the schema is built.
 * An entity that is no node type (audit events) has no relations.
 */
export function addRelationFields(entity: EntityClass<unknown>, Where: ClassType, records: string): void {
  const type = NODE_TYPE_NAMES.find((candidate) => NODE_TYPES[candidate].entity === entity);
  if (!type) return;
  WHERE_OF.set(type, Where);
  if (isListTarget(type)) LIST_WHERE_OF.set(type, listWhereOf(type, Where, records));
  for (const directions of relationsOf(type)) {
    const { field, leadsTo, one } = directions[0]!;
    const edges = directions.length > 1 ? `, along ${directions.map(({ edge }) => edge.kind).join(' or ')}` : '';
    const description = one
      ? `Its \`${field}\` (${leadsTo}) exists and matches these conditions: \`{}\` holds when there is one, ` +
        `\`not: { ${field}: {} }\` when there is none.`
      : `Its \`${field}\` (${leadsTo} list${edges}): some, every or none of them match.`;
    Field(() => registered(one ? WHERE_OF : LIST_WHERE_OF, leadsTo), { nullable: true, description })(
      Where.prototype,
      field,
    );
  }
}
