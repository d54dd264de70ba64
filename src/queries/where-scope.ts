import type { EntityManager, EntityMetadata, EntityName } from '@mikro-orm/postgresql';
import { isNodeType, NODE_TYPES, tableOf } from '../lineage/node-types';
import { columnsOf, type EdgeDirection, relationField } from '../lineage/relations';
import { CURRENT_STATUS, currentStatusIn, derivedColumns } from './current-status';
import { metadataOf } from './read-model';
import type { WhereColumn, WhereCondition, WhereHop, WhereScope } from './where-conditions';
import { wherePredicatesOf } from './where-predicates';

/**
 * What a `where:` tree's fields mean for `entity` on `alias`: its columns
 * (the derivation read models show instead where there is one: a current
 * status, a lot) and, for a node type, its relation fields from the lineage
 * registry, each walking its edge's storage to the related node on a fresh
 * alias. The same scope serves a root list (alias `n`) and a related row.
 */
export function whereScopeOf<T>(em: EntityManager, entity: EntityName<T>, alias: string): WhereScope {
  const meta = metadataOf(em, entity);
  const type = meta.className;
  return {
    column: columnsOn(meta, alias),
    predicate: predicatesOn(meta.tableName, alias),
    relation: (field) => {
      const directions = isNodeType(type) ? relationField(type, field) : undefined;
      if (!directions) return undefined;
      return { one: directions[0]!.one, hops: directions.map((direction) => hopOf(em, direction, alias)) };
    },
  };
}

/** A predicate of the table (where-predicates.ts) as a condition on `alias`; undefined for any other field. */
function predicatesOn(table: string, alias: string): (field: string) => WhereCondition | undefined {
  const predicates = wherePredicatesOf(table);
  return (field) => {
    const predicate = Object.hasOwn(predicates, field) ? predicates[field] : undefined;
    return predicate && { condition: (value, path) => predicate.condition(alias, value, path) };
  };
}

/** A property's column on `alias`, or its derivation; undefined for what is no filterable column. */
function columnsOn<T>(meta: EntityMetadata<T>, alias: string): (property: string) => WhereColumn | undefined {
  const derived = derivedColumns(meta.tableName, alias);
  return (property) => {
    const prop = meta.properties[property as keyof typeof meta.properties];
    if (!prop || prop.persist === false || prop.kind !== 'scalar' || prop.fieldNames?.length !== 1) return undefined;
    const derivation = derived.find((candidate) => candidate.property === property);
    return {
      sql: derivation ? `(${derivation.sql})` : `${alias}.${prop.fieldNames[0]}`,
      nullable: prop.nullable ?? false,
      json: prop.columnTypes?.[0] === 'jsonb',
      ...(derivation?.column === CURRENT_STATUS && {
        oneOf: (values: readonly unknown[]) => currentStatusIn(meta.tableName, alias, values),
      }),
    };
  };
}

/**
 * One edge walked from the row on `alias`, as its storage says: the row
 * holds the foreign key (a to-one: the target by primary key), the target
 * holds it (its foreign-key index), or a join table links both (its two
 * indexes, one per end).
 */
function hopOf(em: EntityManager, direction: EdgeDirection, alias: string): WhereHop {
  const { table, near, far } = columnsOf(direction);
  const targetTable = tableOf(direction.leadsTo);
  const joined = 'joinTable' in direction.edge;
  const heldBy = direction.one ? tableOf(direction.at) : joined ? table : targetTable;
  if (table !== heldBy) throw new Error(`${direction.at}.${direction.field}: edge stored in ${table}, not ${heldBy}`);
  return (target, link) => {
    const scope = whereScopeOf(em, NODE_TYPES[direction.leadsTo].entity as EntityName<object>, target);
    const from = `${targetTable} ${target}`;
    if (direction.one) return { from, on: `${target}.id = ${alias}.${far}`, scope };
    if (!joined) return { from, on: `${target}.${near} = ${alias}.id`, scope };
    return {
      from: `${table} ${link} join ${from} on ${target}.id = ${link}.${far}`,
      on: `${link}.${near} = ${alias}.id`,
      scope,
    };
  };
}
