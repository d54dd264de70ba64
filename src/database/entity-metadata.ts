import { Configuration, type EntityClass, MetadataDiscovery, MetadataStorage } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { RECORDED_XID } from '../entities/recorded-xid';

let discovered: MetadataStorage | undefined;

/**
 * The entities' metadata as MikroORM discovers it for the ORM (column names
 * from the naming strategy, inherited properties merged in), without an ORM
 * or a connection: what code that writes its own SQL (the lineage registries, the record writer, the
 * seed's COPY) takes its table and column names from. Discovered once, on
 * first use; the discovery leaves the entity classes as they were (only an
 * ORM's EntityManager decorates them).
 */
function discoveredMetadata(): MetadataStorage {
  if (!discovered) {
    const config = new Configuration({ driver: PostgreSqlDriver, entities, dbName: 'auditgraph' }, false);
    discovered = new MetadataDiscovery(new MetadataStorage(), config.getPlatform(), config).discoverSync();
  }
  return discovered;
}

/** A persisted property, the column holding it and that column's SQL type. */
export type PersistedColumn = { property: string; column: string; primary: boolean; columnType: string };

/** The table an entity is stored in. */
export const tableNameOf = (entity: EntityClass<unknown>): string => discoveredMetadata().get(entity.name).tableName;

/**
 * Every column of the entity's table that the app writes, in the order the
 * entity declares them (inherited ones first): all but `recorded_xid`, which
 * only the database fills.
 */
export function persistedColumnsOf(entity: EntityClass<unknown>): PersistedColumn[] {
  return discoveredMetadata()
    .get(entity.name)
    .props.filter((prop) => prop.persist !== false && (prop.fieldNames?.length ?? 0) > 0 && prop.name !== RECORDED_XID)
    .flatMap((prop) =>
      prop.fieldNames.map((column, index) => ({
        property: prop.name,
        column,
        primary: prop.primary ?? false,
        columnType: prop.columnTypes?.[index] ?? '',
      })),
    );
}

/** Every column of `table`, as its entity declares them. */
export function persistedColumnsOfTable(table: string): PersistedColumn[] {
  const meta = Object.values(discoveredMetadata().getAll()).find((candidate) => candidate.tableName === table);
  if (!meta) throw new Error(`no entity is stored in ${table}`);
  return persistedColumnsOf(meta.class as EntityClass<unknown>);
}

/** The column of one scalar or to-one property. */
export function columnOf<T>(entity: EntityClass<T>, property: keyof T & string): string {
  const columns = discoveredMetadata().get(entity.name).properties[property]?.fieldNames ?? [];
  if (columns.length !== 1) throw new Error(`${entity.name}.${property} is not stored in one column`);
  return columns[0]!;
}

/**
 * The column of a many-to-one `property` of `entity`, refused unless it
 * references `target`: what names a lineage edge's column (see
 * src/lineage/relations.ts), so the registry cannot name one that leads elsewhere.
 */
export function manyToOneColumnOf(
  entity: EntityClass<unknown>,
  property: string,
  target: EntityClass<unknown>,
): string {
  const prop = discoveredMetadata().get(entity.name).properties[property as never] as
    { kind: string; type: string; fieldNames: string[] } | undefined;
  if (prop?.kind !== 'm:1' || prop.type !== target.name || prop.fieldNames.length !== 1)
    throw new Error(`${entity.name}.${property} is no many-to-one to ${target.name} stored in one column`);
  return prop.fieldNames[0]!;
}

/** A column a list can be ordered by with the primary key breaking ties, and whether it holds nulls. */
export type KeysetColumn = { property: string; column: string; nullable: boolean; primary: boolean };

/** A scalar property of `entity` as a column to order by. */
export function keysetColumnOf(entity: EntityClass<unknown>, property: string): KeysetColumn {
  const meta = discoveredMetadata().get(entity.name);
  const prop = meta.properties[property as never] as
    { kind: string; fieldNames: string[]; nullable?: boolean } | undefined;
  if (prop?.kind !== 'scalar' || prop.fieldNames.length !== 1)
    throw new Error(`${entity.name}.${property} is no scalar stored in one column`);
  const primary = property === meta.primaryKeys[0];
  return { property, column: prop.fieldNames[0]!, nullable: prop.nullable ?? false, primary };
}

/**
 * The columns an index of `entity` serves as a keyset order (column, primary
 * key): the primary key itself, and every scalar property P with an index
 * on exactly (P, primary key), as its `@Index` declares it. An index on P
 * alone, or on (P, another column), leaves ties in P to a sort, so it is no
 * keyset order.
 */
export function keysetColumnsOf(entity: EntityClass<unknown>): KeysetColumn[] {
  const meta = discoveredMetadata().get(entity.name);
  const primary = meta.primaryKeys[0] as string;
  const indexed = meta.indexes
    .map((index) => [index.properties ?? []].flat() as string[])
    .filter((properties) => properties.length === 2 && properties[1] === primary && properties[0] !== primary)
    .map(([property]) => keysetColumnOf(entity, property!));
  return [...indexed, keysetColumnOf(entity, primary)];
}

/** The entity a many-to-one `property` of `entity` references (what an aggregate groups executions by, say). */
export function manyToOneTargetOf(entity: EntityClass<unknown>, property: string): EntityClass<unknown> {
  const metadata = discoveredMetadata();
  const prop = metadata.get(entity.name).properties[property as never] as { kind: string; type: string } | undefined;
  if (prop?.kind !== 'm:1') throw new Error(`${entity.name}.${property} is no many-to-one`);
  return metadata.get(prop.type).class as EntityClass<unknown>;
}
