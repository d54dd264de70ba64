import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { NODE_TYPES, type NodeType, tableOf } from '../lineage/node-types';
import { columnsOf, type EdgeDirection, relationField } from '../lineage/relations';
import { LIST_ORDERS } from '../queries/list-order';
import { type ChildList, type ChildPageLoader, childPageLoader } from './child-page';

function directionsOf(type: NodeType, field: string, one: boolean): readonly EdgeDirection[] {
  const directions = relationField(type, field);
  if (!directions || directions.some((direction) => direction.one !== one))
    throw new Error(`${type}.${field} is no ${one ? 'to-one' : 'list'} field of the lineage registry`);
  return directions;
}

/**
 * The rows of a list field for every parent in `parents`, each with its
 * parent's id as `parent_id`: a join table's through it, a foreign key's from
 * its holder, each branch on its own index. A field two edges share (an
 * execution's request and response payload both lead to `ApiPayload.executions`)
 * is their union, a row the earlier branch gave its parent left out.
 */
export function relationRowsSql(directions: readonly EdgeDirection[], parents: string): string {
  const branches = directions.map((direction, index) => {
    const { table, near, far } = columnsOf(direction);
    if ('joinTable' in direction.edge) {
      if (directions.length > 1)
        throw new Error(`${direction.at}.${direction.field}: a join table's list stands alone`);
      return `select t.*, j.${near} as parent_id
        from ${table} j join ${tableOf(direction.leadsTo)} t on t.id = j.${far}
        where j.${near} = any(${parents})`;
    }
    const earlier = directions
      .slice(0, index)
      .map((other) => `\n          and t.${near} is distinct from t.${columnsOf(other).near}`)
      .join('');
    return `select t.*, t.${near} as parent_id
        from ${table} t where t.${near} = any(${parents})${earlier}`;
  });
  return branches.join('\n      union all\n      ');
}

/** A list field (`Position.executions`) as a node's own list, its rows from the registry. */
export function relationList<T>(type: NodeType, field: string): ChildList<T> {
  const directions = directionsOf(type, field, false);
  const leadsTo = directions[0]!.leadsTo;
  return {
    parentType: type,
    field,
    entity: NODE_TYPES[leadsTo].entity as never,
    table: tableOf(leadsTo),
    orders: LIST_ORDERS[leadsTo],
    rows: (parents) => relationRowsSql(directions, parents),
  };
}

/** The pages of a list field, in its target type's child order unless asked, for many parents at once. */
export const relationListLoader = <T extends { id: string }>(
  em: EntityManager,
  type: NodeType,
  field: string,
): ChildPageLoader<T> => childPageLoader<T>(em, relationList<T>(type, field));

export type ToOneLoader<Parent, T> = { load(parent: Parent): Promise<T | null> | null };

/**
 * A to-one field (`TradeExecution.decision`): the node its foreign key names,
 * through the target's key loader by id, so every to-one field leading to a
 * type (an execution's request and response payload) shares one batch.
 */
export function relationOneLoader<Parent, T>(
  keyLoader: (type: NodeType) => DataLoader<string, T | null>,
  type: NodeType,
  field: string,
): ToOneLoader<Parent, T> {
  const [direction] = directionsOf(type, field, true);
  const { edge, leadsTo } = direction!;
  if (!('foreignKey' in edge)) throw new Error(`${type}.${field}: a to-one field holds a foreign key`);
  const property = edge.foreignKey.property;
  return {
    load(parent) {
      const reference = (parent as Record<string, { id: string } | null | undefined>)[property];
      return reference ? keyLoader(leadsTo).load(reference.id) : null;
    },
  };
}
