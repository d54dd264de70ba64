import { type EntityManager, type EntityName, type FilterQuery, raw } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import {
  type ConnectionArgs,
  type ConnectionResult,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from '../graphql/pagination/connection';
import { decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { metadataOf, readModels } from './read-model';
import { currentStatusConditions } from './current-status';
import { whereCondition, type WhereTree } from './where-conditions';
import { whereScopeOf } from './where-scope';
import { assertValidJsonPaths, type JsonFilter, jsonFilterConditions, jsonPathsOf } from '../graphql/json-filter';
import { keysetSql, type ListOrders, orderNamed, readDirection } from './list-order';
import { existedAtCondition } from './as-of';
import type { Instant } from '../time/instant';
import { isNodeType } from '../lineage/node-types';

export type PageQuery<T> = {
  entity: EntityName<T>;
  /** GraphQL type name; cursors of another type are refused. */
  typeName: string;
  filter: FilterQuery<T>;
  /** The list's orders (see LIST_ORDERS) and the one asked for: null, the root list's default. */
  order: { orders: ListOrders; name: string | null | undefined };
  /** A JSON filter on one jsonb column, served by its GIN index. */
  json?: { column: string; filter: JsonFilter | null | undefined; argument: string };
  /** Only records whose current status (derived from status-change events) is this one. */
  status?: string | null;
  /** Conditions the filter object cannot say, as SQL on alias `n` with `?` placeholders. */
  conditions?: { sql: string; params: unknown[] }[];
  /** A `where:` tree over the entity's properties (and its derived ones), ANDed with the rest. */
  where?: { tree: WhereTree | null | undefined; argument: string };
  /**
   * Time travel: the records that existed at this instant, their derived
   * columns as they stood then (see as-of.ts). Filters still read what is current.
   */
  asOf?: Instant | null;
};

/** What narrows a list, whatever its order and page (an aggregate's rows, say). */
export type ListQuery<T> = Omit<PageQuery<T>, 'order'>;

/**
 * One page of a list in keyset order (an order's column, then the primary
 * key), in one SQL statement. The cursor's sort key is read by a sub-select
 * on the primary key, so paging costs an index seek whatever the depth; a
 * cursor carries its order and is refused in another. Its `totalCount` is one
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
  const { orders } = query.order;
  const order = orderNamed(orders, query.order.name, orders.rootDefault);
  const cursorOrder = { name: order.name, isDefault: order === orders.rootDefault };
  const bound = (side: 'after' | 'before', cursor: string) => ({
    sql: keysetSql(order, meta.tableName, 'n', side, '?'),
    params: [decodeCursor(cursor, query.typeName, side, cursorOrder)],
  });
  const keysets = [
    ...(args.after ? [bound('after', args.after)] : []),
    ...(args.before ? [bound('before', args.before)] : []),
  ];
  const listConditions = await listConditionsOf(em, query);
  const conditions = [...listConditions, ...keysets];
  const direction = readDirection(order, forward);

  const rows = await readModels(
    em,
    query.entity,
    (qb) => {
      qb.where(query.filter);
      for (const condition of conditions) qb.andWhere(condition.sql, condition.params);
      qb.orderBy({ [order.key.property]: direction, [order.idProperty]: direction } as never).limit(size + 1);
    },
    query.asOf ?? null,
  );
  return toConnection(
    rows,
    { forward, size, after: args.after, before: args.before },
    (node) => encodeCursor(query.typeName, node.id, cursorOrder.isDefault ? null : order.name),
    () => countList(em, query, listConditions),
  );
}

type Condition = { sql: string; params: unknown[] };

/**
 * What narrows a list whatever the page: the filter's own conditions, the
 * current status, the JSON filter, the `where:` tree.
 */
export async function listConditionsOf<T>(em: EntityManager, query: ListQuery<T>): Promise<Condition[]> {
  const meta = metadataOf(em, query.entity);
  const conditions = [...(query.conditions ?? []), ...currentStatusConditions(meta.tableName, query.status)];
  if (query.asOf != null) {
    if (!isNodeType(query.typeName)) throw new Error(`${query.typeName} is not a node type`);
    conditions.push(existedAtCondition(query.typeName, query.asOf));
  }
  const execute = (sql: string, params: unknown[]) => em.getConnection().execute(sql, params);
  if (query.json) {
    const { column, filter, argument } = query.json;
    conditions.unshift(...jsonFilterConditions(`n.${column}`, filter, argument));
    await assertValidJsonPaths(execute, jsonPathsOf(filter, argument));
  }
  if (query.where) {
    const condition = await whereConditionOf(em, query.entity, query.where.tree, query.where.argument);
    if (condition) conditions.push(condition);
  }
  return conditions;
}

/**
 * A `where:` tree's one condition on alias `n` of the entity's table, its
 * JSON paths checked first; null when it narrows nothing. What lists and
 * search's per-kind narrowing both compile a tree with.
 */
export async function whereConditionOf<T>(
  em: EntityManager,
  entity: EntityName<T>,
  tree: WhereTree | null | undefined,
  argument: string,
): Promise<Condition | null> {
  const { condition, jsonPaths } = whereCondition(tree, whereScopeOf(em, entity, 'n'), argument);
  await assertValidJsonPaths((sql, params) => em.getConnection().execute(sql, params), jsonPaths);
  return condition;
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
