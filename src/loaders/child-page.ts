import type { EntityManager, EntityName } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import type { NodeType } from '../lineage/node-types';
import type { ConnectionArgs, ConnectionResult } from '../graphql/pagination/connection';
import { childListName, decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { pageShape, toConnection } from '../queries/find-page';
import { readModelOf } from '../queries/read-model';
import { currentStatusColumn } from '../queries/current-status';
import { keysetSql, type ListOrder, type ListOrders, orderBySql, orderNamed } from '../queries/list-order';
import type { WhereTree } from '../queries/where-conditions';
import { runPrepared } from '../sql/prepared-statement';
import { childCountLoader } from './child-count';
import { type ChildWhere, childWhereOf, NO_WHERE, rowsSql } from './child-where';

/** The arguments of a node's own list: a page, a `where:` on its rows, an `orderBy:`. */
export type ListArgs = ConnectionArgs & { where?: WhereTree | null; orderBy?: string | null };

/** One node's own list (`Position.executions`), in its type's child order unless asked, the primary key breaking ties. */
export type ChildList<T> = {
  parentType: NodeType;
  field: string;
  entity: EntityName<T>;
  /** The child table, where a cursor's sort key is looked up. */
  table: string;
  /** The child type's orders (see LIST_ORDERS); `childDefault` when none is asked. */
  orders: ListOrders;
  /**
   * The child rows of every parent in `parents` (a bigint[] expression: a bound
   * array, or a sub-select when the read-ahead composes lists), each with its
   * parent's id as `parent_id`. A row may appear under several parents.
   */
  rows: (parents: string) => string;
};

type PageRequest = {
  parentId: string;
  forward: boolean;
  size: number;
  afterId: string | null;
  beforeId: string | null;
  order: ListOrder;
  where: ChildWhere;
  args: ListArgs;
};
export type RankedRow = Record<string, unknown> & { parent_id: string; page_rank: string };

export type ChildPageLoader<T> = {
  list: ChildList<T>;
  load(parentId: string, args: ListArgs): Promise<ConnectionResult<T>>;
  /**
   * Answers `load(parentId, args)` from rows a read-ahead already read with
   * childPageSql (up to size + 1 of them, in page order), as the batch would
   * have; a read-ahead reads no page with a `where:`.
   */
  prime(parentId: string, args: ListArgs, rows: T[]): void;
};

/**
 * Pages of a node's own list for many parents at once: one statement per
 * batch and page shape, whatever the number of parents, each parent's page cut
 * by `row_number()` over its partition. Cursors and the `where:` are checked
 * before anything is queued, so a bad one fails its own field, not the batch.
 */
export function childPageLoader<T extends { id: string }>(em: EntityManager, list: ChildList<T>): ChildPageLoader<T> {
  // One count loader per `where:` asked, so the counts of one query level are one statement.
  const counts = new Map<string, DataLoader<string, number>>();
  const countsOf = (where: ChildWhere) => {
    let known = counts.get(where.key);
    if (!known) counts.set(where.key, (known = childCountLoader(em, list, where)));
    return known;
  };
  const pageOf = (request: PageRequest, rows: T[]): ConnectionResult<T> => {
    const cursorList = childListName(list.parentType, request.parentId, list.field);
    const named = request.order === list.orders.childDefault ? null : request.order.name;
    return toConnection(
      rows,
      { ...request, after: request.args.after, before: request.args.before },
      (node) => encodeCursor(cursorList, node.id, named),
      () => countsOf(request.where).load(request.parentId),
    );
  };
  const loader = new DataLoader<PageRequest, ConnectionResult<T>, string>(
    async (requests) => {
      recordBatch(`${list.parentType}.${list.field}`, requests.length);
      const byShape = new Map<string, PageRequest[]>();
      for (const request of requests) {
        const group = byShape.get(shapeKey(request));
        if (group) group.push(request);
        else byShape.set(shapeKey(request), [request]);
      }
      const pages = new Map<PageRequest, ConnectionResult<T>>();
      // Requests of one query level share their arguments, so this is one statement per level.
      for (const group of byShape.values()) {
        const rows = await fetchPages(em, list, group);
        for (const request of group) pages.set(request, pageOf(request, rows.get(request.parentId) ?? []));
      }
      return requests.map((request) => pages.get(request)!);
    },
    { cacheKeyFn: (request) => `${request.parentId}|${shapeKey(request)}` },
  );
  const checkedPaths = new Map<string, Promise<void>>();

  const requestOf = (parentId: string, args: ListArgs, where: ChildWhere): PageRequest => {
    const { forward, size } = pageShape(args);
    const order = orderNamed(list.orders, args.orderBy, list.orders.childDefault);
    const cursorOrder = { name: order.name, isDefault: order === list.orders.childDefault };
    const cursorList = childListName(list.parentType, parentId, list.field);
    const afterId = args.after ? decodeCursor(args.after, cursorList, 'after', cursorOrder) : null;
    const beforeId = args.before ? decodeCursor(args.before, cursorList, 'before', cursorOrder) : null;
    return { parentId, forward, size, afterId, beforeId, order, where, args };
  };

  return {
    list,
    async load(parentId, args) {
      const { where, checked } = childWhereOf(em, list.entity, args.where, checkedPaths);
      const request = requestOf(parentId, args, where);
      await checked;
      return loader.load(request);
    },
    prime(parentId, args, rows) {
      const request = requestOf(parentId, args, NO_WHERE);
      loader.prime(request, pageOf(request, rows));
    },
  };
}

const shapeKey = ({ forward, size, afterId, beforeId, order, where }: PageRequest) =>
  `${forward}|${size}|${afterId ?? ''}|${beforeId ?? ''}|${order.name}|${where.key}`;

/**
 * The page of every parent in `parents` (a bigint[] expression), each row
 * with `parent_id` and its `page_rank` in page order; ranks up to `limit`
 * (an expression: page size + 1, the extra row saying there is more).
 * Keyset bounds are child ids, as expressions too; `where` a condition on
 * alias `n`, the list's rows.
 */
export function childPageSql(
  list: Pick<ChildList<unknown>, 'table' | 'rows'>,
  page: {
    forward: boolean;
    order: ListOrder;
    parents: string;
    limit: string;
    after?: string | null;
    before?: string | null;
    where?: string | null;
  },
): string {
  const bound = (side: 'after' | 'before', id: string | null | undefined) =>
    id ? `and ${keysetSql(page.order, list.table, 'c', side, id)}` : '';
  return `
    select * from (
      select c.*${currentStatusColumn(list.table, 'c')},
        row_number() over (partition by c.parent_id order by ${orderBySql(page.order, 'c', page.forward)}) as page_rank
      from ${rowsSql(list, page.parents, page.where)} c
      where true ${bound('after', page.after)} ${bound('before', page.before)}
    ) ranked
    where page_rank <= ${page.limit}`;
}

async function fetchPages<T extends { id: string }>(
  em: EntityManager,
  list: ChildList<T>,
  group: PageRequest[],
): Promise<Map<string, T[]>> {
  const { forward, size, afterId, beforeId, order, where } = group[0]!;
  const sql = `${childPageSql(list, {
    forward,
    order,
    where: where.sql,
    parents: ':parents::bigint[]',
    limit: ':limit',
    after: afterId ? ':after' : null,
    before: beforeId ? ':before' : null,
  })}
    order by parent_id, page_rank`;
  // Parent ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
  const bindings: Record<string, unknown> = {
    ...where.bindings,
    parents: `{${group.map((request) => request.parentId).join(',')}}`,
    limit: size + 1,
  };
  if (afterId) bindings.after = afterId;
  if (beforeId) bindings.before = beforeId;
  const { rows } = await runPrepared<RankedRow>(em, sql, bindings);
  return groupByParent(rows, readModelOf(em, list.entity));
}

/** Rows in page order, each parent's children in a list of their own. */
export function groupByParent<T>(rows: readonly RankedRow[], toModel: (row: RankedRow) => T): Map<string, T[]> {
  const byParent = new Map<string, T[]>();
  for (const row of rows) {
    const parentId = String(row.parent_id);
    const children = byParent.get(parentId);
    if (children) children.push(toModel(row));
    else byParent.set(parentId, [toModel(row)]);
  }
  return byParent;
}
