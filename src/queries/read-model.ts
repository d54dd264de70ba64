import {
  type EntityManager,
  type EntityMetadata,
  type EntityName,
  type QueryBuilder,
  raw,
} from '@mikro-orm/postgresql';
import { InstantType } from '../entities/instant.type';
import { currentStatusSelect, derivedColumns } from './current-status';
import { derivedSelectAsOf } from './as-of';
import { type Instant, instantFromDatabase } from '../time/instant';

type Row = Record<string, unknown>;
type ColumnMapping = { property: string; column: string; convert: (value: unknown) => unknown };

// Timestamps arrive as PostgreSQL's text (from the driver, or ::text inside a JSON row): to the microsecond.
const asInstant = (value: unknown) => (value == null ? null : instantFromDatabase(value as string));
const asReference = (value: unknown) => (value == null ? null : { id: String(value) });
const asIs = (value: unknown) => value;

/** One mapper per entity's metadata, made once: requests make loaders, not mappers. */
const built = new WeakMap<object, (row: Row) => unknown>();

/**
 * Read paths answer GraphQL and never write, so they need no identity map,
 * change tracking or reference proxies — MikroORM's hydration was the largest
 * single cost of the provenance query in a CPU profile. A row becomes an
 * object on the entity's prototype (so its getters, `id` and `databaseId`,
 * work), its columns under their property names, timestamps as Instants, and a
 * many-to-one as `{ id }`, which is all a resolver reads of it before asking
 * a loader. The mapping comes from MikroORM's own metadata, once per entity;
 * derived columns (see derivedColumns) replace what was written when the query selected them.
 */
export function readModelOf<T extends object>(em: EntityManager, entity: EntityName<T>): (row: Row) => T {
  const meta = metadataOf(em, entity);
  let toModel = built.get(meta) as ((row: Row) => T) | undefined;
  if (!toModel) {
    toModel = buildReadModel<T>(meta);
    built.set(meta, toModel);
  }
  return toModel;
}

/** An entity's MikroORM metadata, by class or by name. */
export function metadataOf<T>(em: EntityManager, entity: EntityName<T>): EntityMetadata<T> {
  return em.getMetadata().get<T>(typeof entity === 'string' ? entity : (entity as { name: string }).name);
}

/** The properties a read model carries: the entity's own columns and many-to-one keys. */
const columnProperties = <T>(meta: EntityMetadata<T>) =>
  meta.props.filter((prop) => prop.persist !== false && (prop.kind === 'scalar' || prop.kind === 'm:1'));

/**
 * Rows of `alias` as JSON objects a read model reads like the driver's rows:
 * keyed by column, bigint and numeric columns as text (as the driver gives
 * them, so the JSON parse loses no digit), timestamps as text (normalized
 * by the read model), jsonb nested (its numbers parsed losslessly, see
 * json-numbers). `extra` columns (a page's parent_id and page_rank) are
 * added as text.
 */
export function jsonRowSql<T>(meta: EntityMetadata<T>, alias: string, extra: string[] = []): string {
  const pairs = columnProperties(meta).map((prop) => {
    const column = prop.fieldNames[0]!;
    // What the model holds as a string (bigint keys, numerics, timestamps, text) travels as text,
    // as the driver reads it.
    const asText = prop.kind === 'm:1' || prop.runtimeType === 'string';
    return `'${column}', ${alias}.${column}${asText ? '::text' : ''}`;
  });
  const derived = derivedColumns(meta.tableName, alias).map(({ column }) => column);
  const asText = [...derived, ...extra].map((column) => `'${column}', ${alias}.${column}::text`);
  return `json_build_object(${[...pairs, ...asText].join(', ')})`;
}

function buildReadModel<T extends object>(meta: EntityMetadata<T>): (row: Row) => T {
  const mappings: ColumnMapping[] = columnProperties(meta).map((prop) => ({
    property: prop.name,
    column: prop.fieldNames[0]!,
    convert: prop.kind === 'm:1' ? asReference : prop.customType instanceof InstantType ? asInstant : asIs,
  }));
  // MikroORM puts a setter for every tracked property on the entity's prototype
  // (the first write builds the entity's change-tracking helper). A read model
  // sits one prototype below, which owns plain writable slots for the same names,
  // so assigning them makes ordinary properties: no helper, no tracking.
  // Where the query derived a value (a current status from status-change events, a
  // position's quantity from its fills), that value replaces the one written.
  const derived = derivedColumns(meta.tableName, 't').map(({ column, property }) => ({
    column,
    property,
    convert: mappings.find((mapping) => mapping.property === property)?.convert ?? asIs,
  }));
  const slots = [
    ...mappings.map(({ property }) => property),
    ...derived.map(({ property }) => recordedPropertyOf(property)),
  ];
  const prototype = Object.create(
    meta.class.prototype as object,
    Object.fromEntries(slots.map((property) => [property, { value: undefined, writable: true, configurable: true }])),
  ) as object;
  return (row) => {
    const model = Object.create(prototype) as Record<string, unknown>;
    for (const { property, column, convert } of mappings) model[property] = convert(row[column]);
    for (const { column, property, convert } of derived) {
      // The value as written stays beside the derived one: the record's leaf holds it (recordedStatus, …).
      model[recordedPropertyOf(property)] = model[property];
      if (row[column] !== undefined) model[property] = convert(row[column]);
    }
    return model as T;
  };
}

/**
 * Read models of `entity` from one query: a builder over it (alias `n`)
 * selecting what a read model needs — the whole row and, for a table with a
 * lifecycle, its current status (or, given `asOf`, its derived columns as
 * they stood at that instant) — narrowed by `refine` (conditions, order,
 * limit), run without hydration and mapped with readModelOf.
 */
export async function readModels<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  refine: (qb: QueryBuilder<T, 'n'>) => unknown,
  asOf: Instant | null = null,
): Promise<T[]> {
  const meta = metadataOf(em, entity);
  const qb = em.createQueryBuilder<T, 'n'>(entity, 'n').select('*');
  if (asOf === null) {
    const currentStatus = currentStatusSelect(meta.tableName, 'n');
    if (currentStatus) qb.addSelect(raw(currentStatus));
  } else {
    const derived = derivedSelectAsOf(meta.tableName, 'n', asOf);
    if (derived) qb.addSelect(raw(derived.sql, derived.params));
  }
  await refine(qb);
  return (await qb.execute<Row[]>('all', false)).map(readModelOf(em, entity));
}

/**
 * The GraphQL field (and read-model slot) of the value a derived property was
 * written with: `status` → `recordedStatus`. The API answers both, so the
 * record as written — what its Merkle leaf holds — can be read back.
 */
export const recordedPropertyOf = (property: string): string =>
  `recorded${property.charAt(0).toUpperCase()}${property.slice(1)}`;

/**
 * The value `property` of a record was written with: the read model's kept
 * copy where a derivation replaced it, else the property itself (an entity
 * MikroORM loaded holds what was written).
 */
export function writtenValueOf<T>(record: object, property: string): T {
  const recorded = recordedPropertyOf(property);
  const values = record as Record<string, unknown>;
  return (Object.hasOwn(values, recorded) ? values[recorded] : values[property]) as T;
}
