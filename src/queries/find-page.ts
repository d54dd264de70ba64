import { type EntityManager, type EntityMetadata, type EntityName, type FilterQuery, raw } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import {
  type ConnectionArgs,
  type ConnectionResult,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from '../graphql/pagination/connection';
import { decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { metadataOf, readModels } from './read-model';
import { currentStatusConditions, derivedColumns } from './current-status';
import { type WhereColumn, whereCondition, type WhereTree } from './where-conditions';
import { assertValidJsonPaths, type JsonFilter, jsonFilterConditions, jsonPathsOf } from '../graphql/json-filter';

export type PageQuery<T> = {
  entity: EntityName<T>;
  /** GraphQL type name; cursors of another type are refused. */
  typeName: string;
  filter: FilterQuery<T>;
  /** Time property lists are ordered by, newest first; `id` breaks ties. */
  sortProperty: keyof T & string;
  /** A JSON filter on one jsonb column, served by its GIN index. */
  json?: { column: string; filter: JsonFilter | null | undefined; argument: string };
  /** Only records whose current status (derived from status-change events) is this one. */
  status?: string | null;
  /** Conditions the filter object cannot say, as SQL on alias `n` with `?` placeholders. */
  conditions?: { sql: string; params: unknown[] }[];
  /** A `where:` tree over the entity's properties (and its derived ones), ANDed with the rest. */
  where?: { tree: WhereTree | null | undefined; argument: string };
};

/**
 * One page of a list in keyset order (sort column desc, id desc), in one SQL
 * statement. The cursor's sort key is read by a sub-select on the primary key,
 * so paging costs an index seek whatever the depth. Its `totalCount` is one
 * `count(*)` under the same conditions without the keyset bounds, run only
 * when read.
 */
export async function findPage<T extends { id: string }>(
  em: EntityManager,
  query: PageQuery<T>,
  args: ConnectionArgs,
): Promise<ConnectionResult<T>> {
  const { forward, size } = pageShape(args);
  const meta = metadataOf(em, query.entity);
  const sortColumn = meta.properties[query.sortProperty as keyof typeof meta.properties].fieldNames[0];
  const idColumn = meta.properties['id' as keyof typeof meta.properties].fieldNames[0];
  const keyset =
    `(n.${sortColumn}, n.${idColumn}) %s ` +
    `(select k.${sortColumn}, k.${idColumn} from ${meta.tableName} k where k.${idColumn} = ?)`;
  const listConditions = await listConditionsOf(em, query);
  const conditions = [...listConditions];
  if (args.after)
    conditions.push({ sql: keyset.replace('%s', '<'), params: [decodeCursor(args.after, query.typeName, 'after')] });
  if (args.before)
    conditions.push({ sql: keyset.replace('%s', '>'), params: [decodeCursor(args.before, query.typeName, 'before')] });
  const direction = forward ? 'desc' : 'asc';

  const rows = await readModels(em, query.entity, (qb) => {
    qb.where(query.filter);
    for (const condition of conditions) qb.andWhere(condition.sql, condition.params);
    qb.orderBy({ [query.sortProperty]: direction, id: direction } as never).limit(size + 1);
  });
  return toConnection(
    rows,
    { forward, size, after: args.after, before: args.before },
    (node) => encodeCursor(query.typeName, node.id),
    () => countList(em, query, listConditions),
  );
}

type Condition = { sql: string; params: unknown[] };

/**
 * What narrows a list whatever the page: the filter's own conditions, the
 * current status, the JSON filter, the `where:` tree.
 */
export async function listConditionsOf<T>(em: EntityManager, query: PageQuery<T>): Promise<Condition[]> {
  const meta = metadataOf(em, query.entity);
  const conditions = [...(query.conditions ?? []), ...currentStatusConditions(meta.tableName, query.status)];
  const execute = (sql: string, params: unknown[]) => em.getConnection().execute(sql, params);
  if (query.json) {
    const { column, filter, argument } = query.json;
    conditions.unshift(...jsonFilterConditions(`n.${column}`, filter, argument));
    await assertValidJsonPaths(execute, jsonPathsOf(filter, argument));
  }
  if (query.where) {
    const { condition, jsonPaths } = whereCondition(query.where.tree, whereColumns(meta), query.where.argument);
    if (condition) conditions.push(condition);
    await assertValidJsonPaths(execute, jsonPaths);
  }
  return conditions;
}

/** A property's column on alias `n`, or the derivation read models show instead (a current status, a lot). */
export function whereColumns<T>(meta: EntityMetadata<T>): (property: string) => WhereColumn | undefined {
  const derived = derivedColumns(meta.tableName, 'n');
  return (property) => {
    const prop = meta.properties[property as keyof typeof meta.properties];
    if (!prop || prop.persist === false || prop.kind !== 'scalar' || prop.fieldNames?.length !== 1) return undefined;
    const derivation = derived.find((candidate) => candidate.property === property);
    return {
      sql: derivation ? `(${derivation.sql})` : `n.${prop.fieldNames[0]}`,
      nullable: prop.nullable ?? false,
      json: prop.columnTypes?.[0] === 'jsonb',
    };
  };
}

/** The number of rows of a list under its conditions, in one `count(*)`. */
async function countList<T extends object>(
  em: EntityManager,
  query: PageQuery<T>,
  conditions: readonly Condition[],
): Promise<number> {
  const qb = em.createQueryBuilder<T, 'n'>(query.entity, 'n').select(raw('count(*) as total'));
  qb.where(query.filter);
  for (const condition of conditions) qb.andWhere(condition.sql, condition.params);
  const [row] = await qb.execute<{ total: string | number }[]>('all', false);
  return Number(row!.total);
}

export type PageShape = { forward: boolean; size: number; after?: string | null; before?: string | null };

/**
 * The connection of one page, from up to `size + 1` rows fetched in page
 * order: the extra row only says there is more. Backward pages are fetched
 * in reverse and turned back here. Cursors are written when read: most
 * queries ask for `nodes` and never for a cursor.
 */
export function toConnection<T>(
  rows: readonly T[],
  shape: PageShape,
  cursorOf: (node: T) => string,
  count: () => Promise<number>,
): ConnectionResult<T> {
  const { forward, size } = shape;
  const hasMore = rows.length > size;
  const page = rows.slice(0, size);
  if (!forward) page.reverse();
  let counted: Promise<number> | undefined;
  return {
    get edges() {
      return page.map((node) => ({
        node,
        get cursor() {
          return cursorOf(node);
        },
      }));
    },
    nodes: page,
    get totalCount() {
      // Aliases of `totalCount` on one page share its one count.
      counted ??= count();
      return counted;
    },
    pageInfo: {
      hasNextPage: forward ? hasMore : Boolean(shape.before),
      hasPreviousPage: forward ? Boolean(shape.after) : hasMore,
      get startCursor() {
        return page.length > 0 ? cursorOf(page[0]!) : null;
      },
      get endCursor() {
        return page.length > 0 ? cursorOf(page.at(-1)!) : null;
      },
    },
  };
}

/** Checks page-size arguments before any SQL runs. */
export function pageShape(args: ConnectionArgs): { forward: boolean; size: number } {
  if (args.first != null && args.last != null) {
    throw new BadInputError('pass either `first` or `last`, not both', 'last');
  }
  const forward = args.last == null;
  const argument = forward ? 'first' : 'last';
  const size = (forward ? args.first : args.last) ?? DEFAULT_PAGE_SIZE;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadInputError(`\`${argument}\` must be between 0 and ${MAX_PAGE_SIZE}; got ${size}`, argument);
  }
  return { forward, size };
}
