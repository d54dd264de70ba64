import type { EntityClass } from '@mikro-orm/core';
import { manyToOneColumnOf, tableNameOf } from '../database/entity-metadata';
import { DecisionInput } from '../entities';
import { NODE_TYPES, type NodeType, tableOf } from './node-types';

/** A foreign key held by the node at one end of the edge: a many-to-one property of its entity. */
type ForeignKey = { foreignKey: { on: 'from' | 'to'; property: string } };
/** A join table: its entity and the many-to-one properties naming each end. */
type JoinTable = { joinTable: { entity: EntityClass<object>; from: string; to: string } };

type EdgeDefinition = (ForeignKey | JoinTable) & {
  kind: string;
  from: NodeType;
  /** The field on `from` that leads to `to`. */
  field: string;
  to: NodeType;
  /** The field on `to` that leads back to `from`. */
  inverse: string;
  /** The edge in LineageEdgeKind's description ("run → payload"); equal texts of neighbours share one entry. */
  reads: string;
  /**
   * Walked upstream from `from` as well as from `to`: a broker request or
   * response is evidence of its execution, so walking either way from an
   * execution brings both along.
   */
  evidence?: true;
};

/**
 * Every edge of the lineage graph, once, from upstream to downstream, in
 * LineageEdgeKind's order. The loaders, the read-ahead, the lineage walk and
 * the edge-kind enum are derived from it; a resolver field per end (type-graphql
 * needs the decorator) calls the loader of its edge. Columns come from the
 * entities' MikroORM metadata. An edge between existing node types is its
 * entity relation (and migration), one entry here and its two resolver
 * fields; test/lineage-registry.test.ts fails while a field is missing.
 */
export const EDGES = [
  {
    kind: 'FETCHED',
    from: 'IngestionRun',
    field: 'payloads',
    to: 'ApiPayload',
    inverse: 'ingestionRun',
    foreignKey: { on: 'to', property: 'ingestionRun' },
    reads: 'run → payload',
  },
  {
    kind: 'FED',
    from: 'ApiPayload',
    field: 'decisions',
    to: 'TradeDecision',
    inverse: 'inputs',
    joinTable: { entity: DecisionInput, from: 'apiPayload', to: 'tradeDecision' },
    reads: 'payload → decision',
  },
  {
    kind: 'EXECUTED_AS',
    from: 'TradeDecision',
    field: 'executions',
    to: 'TradeExecution',
    inverse: 'decision',
    foreignKey: { on: 'to', property: 'tradeDecision' },
    reads: 'decision → execution',
  },
  {
    kind: 'REQUESTED',
    from: 'TradeExecution',
    field: 'requestPayload',
    to: 'ApiPayload',
    inverse: 'executions',
    foreignKey: { on: 'from', property: 'apiRequestPayload' },
    reads: 'execution → broker payload',
    evidence: true,
  },
  {
    kind: 'RESPONDED',
    from: 'TradeExecution',
    field: 'responsePayload',
    to: 'ApiPayload',
    inverse: 'executions',
    foreignKey: { on: 'from', property: 'apiResponsePayload' },
    reads: 'execution → broker payload',
    evidence: true,
  },
  {
    kind: 'BUILT',
    from: 'TradeExecution',
    field: 'position',
    to: 'Position',
    inverse: 'executions',
    foreignKey: { on: 'from', property: 'position' },
    reads: 'execution → position',
  },
] as const satisfies readonly EdgeDefinition[];

export type Edge = (typeof EDGES)[number];
export type EdgeKind = Edge['kind'];

/** The fields of `Type` that lead to one node: the holder's end of a foreign key. */
export type ToOneField<Type extends NodeType> =
  | Extract<Edge, { from: Type; foreignKey: { on: 'from' } }>['field']
  | Extract<Edge, { to: Type; foreignKey: { on: 'to' } }>['inverse'];

/** The fields of `Type` that lead to a list: the other end of a foreign key, and either end of a join table. */
export type ToListField<Type extends NodeType> =
  | Extract<Edge, { from: Type; foreignKey: { on: 'to' } } | { from: Type; joinTable: object }>['field']
  | Extract<Edge, { to: Type; foreignKey: { on: 'from' } } | { to: Type; joinTable: object }>['inverse'];

/** One end of an edge as its field sees it: the edge walked from `at` to `leadsTo`. */
export type EdgeDirection = {
  edge: Edge;
  /** The end walked from (an edge from a type to itself has the same type at both). */
  side: 'from' | 'to';
  at: NodeType;
  field: string;
  leadsTo: NodeType;
  /** Whether `at` holds the foreign key (a to-one field) or not (a list). */
  one: boolean;
};

const directionsOf = (edge: Edge): EdgeDirection[] => {
  const holder = 'foreignKey' in edge ? edge.foreignKey.on : null;
  return [
    { edge, side: 'from', at: edge.from, field: edge.field, leadsTo: edge.to, one: holder === 'from' },
    { edge, side: 'to', at: edge.to, field: edge.inverse, leadsTo: edge.from, one: holder === 'to' },
  ];
};

/** Every relation field of every node type, with the edges it walks (two for ApiPayload.executions). */
export const RELATION_FIELDS: ReadonlyMap<string, readonly EdgeDirection[]> = (() => {
  const fields = new Map<string, EdgeDirection[]>();
  for (const direction of EDGES.flatMap(directionsOf)) {
    const name = `${direction.at}.${direction.field}`;
    const known = fields.get(name);
    if (!known) fields.set(name, [direction]);
    else if (direction.one || known.some((other) => other.one || other.leadsTo !== direction.leadsTo))
      throw new Error(`${name}: only lists to one node type may share a field`);
    else known.push(direction);
  }
  return fields;
})();

/** The type a relation field of `Type` leads to. */
export type TargetOf<Type extends NodeType, Field extends string> =
  Extract<Edge, { from: Type; field: Field }>['to'] | Extract<Edge, { to: Type; inverse: Field }>['from'];

/** The edges `type.field` walks, or undefined when it is no relation field. */
export const relationField = (type: NodeType, field: string): readonly EdgeDirection[] | undefined =>
  RELATION_FIELDS.get(`${type}.${field}`);

/** The column of a many-to-one `property` of `entity` that leads to `target` (refused when it leads elsewhere). */
export const columnOf = (entity: EntityClass<object>, property: string, target: NodeType): string =>
  manyToOneColumnOf(entity as EntityClass<unknown>, property, NODE_TYPES[target].entity as EntityClass<unknown>);

/** Where an edge is stored: a table, and the columns holding each end's id. */
export type Storage = { table: string; fromColumn: string; toColumn: string };

/**
 * An edge's storage: a foreign key's table is its holder's, whose own end is
 * its primary key; a join table names both ends.
 */
export function storageOf(edge: Edge): Storage {
  if ('joinTable' in edge) {
    const { entity, from, to } = edge.joinTable;
    return {
      table: tableNameOf(entity as EntityClass<unknown>),
      fromColumn: columnOf(entity, from, edge.from),
      toColumn: columnOf(entity, to, edge.to),
    };
  }
  const { on, property } = edge.foreignKey;
  const [holder, target] = on === 'from' ? [edge.from, edge.to] : [edge.to, edge.from];
  const column = columnOf(NODE_TYPES[holder].entity as EntityClass<object>, property, target);
  return on === 'from'
    ? { table: tableOf(holder), fromColumn: 'id', toColumn: column }
    : { table: tableOf(holder), fromColumn: column, toColumn: 'id' };
}

/**
 * A direction's storage seen from its end: `near` holds the id of the node
 * walked from, `far` the id of the node it leads to.
 */
export function columnsOf(direction: EdgeDirection): { table: string; near: string; far: string } {
  const { table, fromColumn, toColumn } = storageOf(direction.edge);
  return direction.side === 'from'
    ? { table, near: fromColumn, far: toColumn }
    : { table, near: toColumn, far: fromColumn };
}
