import type { EntityClass } from '@mikro-orm/core';
import { BadInputError } from '../base/errors';
import { type KeysetColumn, keysetColumnOf, keysetColumnsOf } from '../database/entity-metadata';
import {
  ApiPayload,
  AuditEvent,
  IngestionRun,
  Position,
  QueryAuditEntry,
  RecordCorrection,
  TradeDecision,
  TradeExecution,
} from '../entities';

export type Direction = 'asc' | 'desc';

/** One order of a list: a keyset (column, primary key) read one way, its name the GraphQL enum value. */
export type ListOrder = {
  name: string;
  key: KeysetColumn;
  direction: Direction;
  /** The primary key's column and property, which break ties. */
  idColumn: string;
  idProperty: string;
  /** Read in order from an index; false only for a list's default that predates orderBy. */
  indexed: boolean;
  description: string;
};

/** The orders of one record type, shared by its root list and by every node's own list of that type. */
export type ListOrders = {
  /** The GraphQL enum: TradeDecisionOrder. */
  enumName: string;
  orders: readonly ListOrder[];
  /** Order of the root list when none is asked (the one it always had). */
  rootDefault: ListOrder;
  /** Order of a node's own lists of this type when none is asked. */
  childDefault: ListOrder;
};

type OrdersDefinition = {
  /** Default of the root list, and of a node's own lists (an enum value each). */
  root: string;
  child: string;
  /**
   * A root default that no index serves with its tie-break (an index on the
   * column alone), kept because the list always had it; no other order is
   * offered on that column.
   */
  unindexed?: { property: string; direction: Direction };
};

const nameOf = (key: KeysetColumn, direction: Direction) => `${key.column.toUpperCase()}_${direction.toUpperCase()}`;

/**
 * Every keyset order an index of `entity` serves (see keysetColumnsOf),
 * each ascending and descending. No order column holds nulls: the
 * derivation refuses a nullable one, so a page bound never meets a null and
 * paging stays exact by row comparison alone.
 */
function ordersOf(entity: EntityClass<unknown>, definition: OrdersDefinition): ListOrders {
  const columns = keysetColumnsOf(entity);
  const id = columns.find((column) => column.primary)!;
  const make = (key: KeysetColumn, direction: Direction, indexed: boolean): ListOrder => {
    if (key.nullable) throw new Error(`${entity.name}.${key.property} holds nulls: no order on it`);
    const tie = key.primary ? '' : `, ties by ${id.column}`;
    const read = indexed
      ? `read in order from the ${key.primary ? 'primary key' : `index on (${key.column}, ${id.column})`}`
      : `read from the index on ${key.column}, ties within one instant sorted`;
    const way = key.primary
      ? `${direction === 'asc' ? 'ascending' : 'descending'} (the order records were written in${direction === 'asc' ? '' : ', reversed'})`
      : direction === 'asc'
        ? 'ascending (oldest first)'
        : 'descending (newest first)';
    return {
      name: nameOf(key, direction),
      key,
      direction,
      idColumn: id.column,
      idProperty: id.property,
      indexed,
      description: `By ${key.column} ${way}${tie}; ${read}.`,
    };
  };
  const orders = columns.flatMap((key) => (['desc', 'asc'] as const).map((direction) => make(key, direction, true)));
  if (definition.unindexed) {
    const { property, direction } = definition.unindexed;
    orders.unshift(make(keysetColumnOf(entity, property), direction, false));
  }
  const named = (name: string) => {
    const order = orders.find((candidate) => candidate.name === name);
    if (!order) throw new Error(`${entity.name} has no order ${name}`);
    return order;
  };
  return {
    enumName: `${entity.name}Order`,
    orders,
    rootDefault: named(definition.root),
    childDefault: named(definition.child),
  };
}

/**
 * The orders of every paged record type, in one place: the GraphQL enums,
 * the root lists and the node's own lists all read them from here.
 */
export const LIST_ORDERS = {
  IngestionRun: ordersOf(IngestionRun, { root: 'CREATED_AT_DESC', child: 'CREATED_AT_ASC' }),
  ApiPayload: ordersOf(ApiPayload, { root: 'CREATED_AT_DESC', child: 'CREATED_AT_ASC' }),
  TradeDecision: ordersOf(TradeDecision, { root: 'CREATED_AT_DESC', child: 'CREATED_AT_ASC' }),
  TradeExecution: ordersOf(TradeExecution, { root: 'CREATED_AT_DESC', child: 'CREATED_AT_ASC' }),
  Position: ordersOf(Position, { root: 'OPENED_AT_DESC', child: 'OPENED_AT_ASC' }),
  // A node's events run in chain order.
  AuditEvent: ordersOf(AuditEvent, { root: 'OCCURRED_AT_DESC', child: 'SEQ_ASC' }),
  // Its only index with the id is the primary key; started_at alone has an index of its own.
  QueryAuditEntry: ordersOf(QueryAuditEntry, {
    root: 'STARTED_AT_DESC',
    child: 'STARTED_AT_DESC',
    unindexed: { property: 'startedAt', direction: 'desc' },
  }),
  // Only a node's own list (`corrections`), oldest first: the order they were applied in.
  RecordCorrection: ordersOf(RecordCorrection, { root: 'ID_ASC', child: 'ID_ASC' }),
} satisfies Record<string, ListOrders>;

/** The order `name` of a list (its enum value), or `fallback` when none is asked. */
export function orderNamed(orders: ListOrders, name: string | null | undefined, fallback: ListOrder): ListOrder {
  if (name == null) return fallback;
  const order = orders.orders.find((candidate) => candidate.name === name);
  if (!order) throw new BadInputError(`\`orderBy\` must be one of ${orders.enumName}'s values; got ${name}`, 'orderBy');
  return order;
}

/** The direction rows are read in: the order's own going forward, the reverse for a backward page. */
export const readDirection = (order: ListOrder, forward: boolean): Direction =>
  forward === (order.direction === 'asc') ? 'asc' : 'desc';

/** `order by` terms of a page on `alias`, the primary key last. */
export function orderBySql(order: ListOrder, alias: string, forward: boolean): string {
  const direction = readDirection(order, forward);
  const id = `${alias}.${order.idColumn} ${direction}`;
  return order.key.primary ? id : `${alias}.${order.key.column} ${direction}, ${id}`;
}

/**
 * The bound of a page on `alias`: rows after or before the row whose primary
 * key is `id` (an expression), in `order`. The cursor's row's sort key is
 * read by a sub-select on `table`'s primary key, so a bound costs an index
 * seek and keeps the microseconds a JavaScript Date cannot hold.
 */
export function keysetSql(
  order: ListOrder,
  table: string,
  alias: string,
  side: 'after' | 'before',
  id: string,
): string {
  const operator = (side === 'after') === (order.direction === 'asc') ? '>' : '<';
  const { column } = order.key;
  const key = order.idColumn;
  if (order.key.primary) return `${alias}.${key} ${operator} ${id}`;
  return `(${alias}.${column}, ${alias}.${key}) ${operator} (select k.${column}, k.${key} from ${table} k where k.${key} = ${id})`;
}
