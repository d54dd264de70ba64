import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { pageShape } from '../../queries/find-page';
import { LIST_ORDERS, type ListOrder, orderNamed } from '../../queries/list-order';
import { argumentsOf, connectionNodeSelections, selectedFields } from '../../graphql/selection';
import type { NodeType } from '../../lineage/node-types';
import { columnsOf, relationField } from '../../lineage/relations';
import type { ListArgs } from '../child-page';

/** A field that leads to one node through a foreign key of the row, read by the target's key loader. */
export type ToOne = { kind: 'one'; at: NodeType; field: string; type: NodeType; column: string };
/** A field that leads to a page of a node's own list, read by the field's child-page loader. */
export type ToList = { kind: 'list'; at: NodeType; field: string; type: NodeType };

export type Page = { args: ListArgs; forward: boolean; size: number; order: ListOrder };
/** One selected relation field, and what is selected below it. */
export type Step = { relation: ToOne | ToList; page: Page | null; below: Step[] };
/** The relation steps selected below a root, and their shape as text: a statement's cache key, computed once. */
export type Plan = { steps: Step[]; shape: string };

/**
 * The lineage field `type.name` as the read-ahead reads it, from the
 * registry the resolvers' loaders are built from too. Audit-event lists are
 * left to their loaders.
 */
function relationOf(type: NodeType, name: string): ToOne | ToList | null {
  const directions = relationField(type, name);
  if (!directions) return null;
  const [direction] = directions;
  const { leadsTo, one } = direction!;
  return one
    ? { kind: 'one', at: type, field: name, type: leadsTo, column: columnsOf(direction!).far }
    : { kind: 'list', at: type, field: name, type: leadsTo };
}

/** What is selected below `type` to read ahead, or null when nothing is. */
export function planOf(
  info: GraphQLResolveInfo,
  type: NodeType,
  sets: readonly (SelectionSetNode | undefined)[],
): Plan | null {
  const steps = stepsBelow(info, type, sets);
  return steps.length > 0 ? { steps, shape: shapeOf(steps) } : null;
}

/** The relation fields selected on `type`, recursively. */
function stepsBelow(info: GraphQLResolveInfo, type: NodeType, sets: readonly (SelectionSetNode | undefined)[]): Step[] {
  const steps: Step[] = [];
  for (const [name, fields] of selectedFields(info, sets)) {
    const relation = relationOf(type, name);
    if (!relation) continue;
    if (relation.kind === 'one') {
      const below = stepsBelow(
        info,
        relation.type,
        fields.map((field) => field.selectionSet),
      );
      steps.push({ relation, page: null, below });
      continue;
    }
    // Aliases of a list may ask different pages: the first is read ahead, the others by their loader.
    const field = fields[0]!;
    const page = readAheadPage(info, type, field, relation.type);
    if (page)
      steps.push({ relation, page, below: stepsBelow(info, relation.type, connectionNodeSelections(info, field)) });
  }
  return steps;
}

/**
 * The page of a list step, in the order asked; null (left to the list's
 * loader, one statement for the level) after a cursor, or with a `where:`,
 * whose values a read-ahead statement does not bind.
 */
function readAheadPage(info: GraphQLResolveInfo, type: NodeType, field: FieldNode, leadsTo: NodeType): Page | null {
  const args = argumentsOf<ListArgs>(info, type, field);
  if (args.after || args.before || args.where != null) return null;
  try {
    const orders = LIST_ORDERS[leadsTo];
    return { args, ...pageShape(args), order: orderNamed(orders, args.orderBy, orders.childDefault) };
  } catch {
    // A page size out of range is refused by the list's own resolver, with the field's path.
    return null;
  }
}

const shapeOf = (steps: Step[]): string =>
  steps
    .map(({ relation, page, below }) => {
      const read = relation.kind === 'one' ? relation.column : `${page!.forward}${page!.size}${page!.order.name}`;
      return `${relation.at}.${relation.field}:${read}(${shapeOf(below)})`;
    })
    .join(',');
