import type { EntityManager, EntityName } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import type { NodeType } from '../lineage/node-types';
import type { ConnectionArgs, ConnectionResult } from '../graphql/pagination/connection';
import { childListName, decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { pageShape, toConnection } from '../queries/find-page';
import { readModelOf } from '../queries/read-model';
import { currentStatusColumn } from '../queries/current-status';
import { runPrepared } from '../sql/prepared-statement';

/** One node's own list (`Position.executions`), oldest first, `id` breaking ties. */
export type ChildList<T> = {
  parentType: NodeType;
  field: string;
  entity: EntityName<T>;
  /** The child table, where a cursor's sort key is looked up. */
  table: string;
  /** Column the list is ordered by, oldest first (default created_at); the primary key breaks ties. */
  sortColumn?: string;
  /** The child table's primary key column (default id). */
  idColumn?: string;
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
  args: ConnectionArgs;
};
export type RankedRow = Record<string, unknown> & { parent_id: string; page_rank: string };

export type ChildPageLoader<T> = {
  list: ChildList<T>;
  load(parentId: string, args: ConnectionArgs): Promise<ConnectionResult<T>>;
  /**
   * Answers `load(parentId, args)` from rows a read-ahead already read with
   * childPageSql (up to size + 1 of them, in page order), as the batch would have.
   */
  prime(parentId: string, args: ConnectionArgs, rows: T[]): void;
};

/**
 * Pages of a node's own list for many parents at once: one statement per
 * batch and page shape, whatever the number of parents, each parent's page cut
 * by `row_number()` over its partition. Cursors are checked before anything
 * is queued, so a bad one fails its own field, not the batch.
 */
export function childPageLoader<T extends { id: string }>(em: EntityManager, list: ChildList<T>): ChildPageLoader<T> {
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
        for (const request of group)
          pages.set(request, pageOf(list, request, rows.get(request.parentId) ?? [], counts));
      }
      return requests.map((request) => pages.get(request)!);
    },
    { cacheKeyFn: (request) => `${request.parentId}|${shapeKey(request)}` },
  );
  const counts = childCountLoader(em, list);

  const requestOf = (parentId: string, args: ConnectionArgs): PageRequest => {
    const { forward, size } = pageShape(args);
    const cursorList = childListName(list.parentType, parentId, list.field);
    const afterId = args.after ? decodeCursor(args.after, cursorList, 'after') : null;
    const beforeId = args.before ? decodeCursor(args.before, cursorList, 'before') : null;
    return { parentId, forward, size, afterId, beforeId, args };
  };

  return {
    list,
    load(parentId, args) {
      return loader.load(requestOf(parentId, args));
    },
    prime(parentId, args, rows) {
      const request = requestOf(parentId, args);
      loader.prime(request, pageOf(list, request, rows, counts));
    },
  };
}

const shapeKey = ({ forward, size, afterId, beforeId }: PageRequest) =>
  `${forward}|${size}|${afterId ?? ''}|${beforeId ?? ''}`;

function pageOf<T extends { id: string }>(
  list: ChildList<T>,
  request: PageRequest,
  rows: T[],
  counts: DataLoader<string, number>,
): ConnectionResult<T> {
  const cursorList = childListName(list.parentType, request.parentId, list.field);
  return toConnection(
    rows,
    { ...request, after: request.args.after, before: request.args.before },
    (node) => encodeCursor(cursorList, node.id),
    () => counts.load(request.parentId),
  );
}

/**
 * The number of children of many parents at once: one `group by parent_id`
 * over the list's rows per batch, so a query level's counts are one statement
 * whatever its number of parents; a parent without children counts 0.
 */
function childCountLoader(
  em: EntityManager,
  list: Pick<ChildList<unknown>, 'parentType' | 'field' | 'rows'>,
): DataLoader<string, number> {
  const sql = `select c.parent_id::text as parent_id, count(*) as total
    from (${list.rows(':parents::bigint[]')}) c group by c.parent_id`;
  return new DataLoader<string, number>(async (parentIds) => {
    recordBatch(`${list.parentType}.${list.field}.totalCount`, parentIds.length);
    // Parent ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
    const { rows } = await runPrepared<{ parent_id: string; total: string }>(em, sql, {
      parents: `{${parentIds.join(',')}}`,
    });
    const totals = new Map(rows.map((row) => [row.parent_id, Number(row.total)]));
    return parentIds.map((parentId) => totals.get(parentId) ?? 0);
  });
}

/**
 * The page of every parent in `parents` (a bigint[] expression), each row
 * with `parent_id` and its `page_rank` in page order; ranks up to `limit`
 * (an expression: page size + 1, the extra row saying there is more).
 * Keyset bounds are child ids, as expressions too.
 */
export function childPageSql(
  list: Pick<ChildList<unknown>, 'table' | 'sortColumn' | 'idColumn' | 'rows'>,
  page: { forward: boolean; parents: string; limit: string; after?: string | null; before?: string | null },
): string {
  const direction = page.forward ? 'asc' : 'desc';
  const { sortColumn = 'created_at', idColumn = 'id' } = list;
  const keyset = (operator: '<' | '>', id: string) =>
    `and (c.${sortColumn}, c.${idColumn}) ${operator}
      (select k.${sortColumn}, k.${idColumn} from ${list.table} k where k.${idColumn} = ${id})`;
  return `
    select * from (
      select c.*${currentStatusColumn(list.table, 'c')},
        row_number() over (partition by c.parent_id
          order by c.${sortColumn} ${direction}, c.${idColumn} ${direction}) as page_rank
      from (${list.rows(page.parents)}) c
      where true ${page.after ? keyset('>', page.after) : ''} ${page.before ? keyset('<', page.before) : ''}
    ) ranked
    where page_rank <= ${page.limit}`;
}

async function fetchPages<T extends { id: string }>(
  em: EntityManager,
  list: ChildList<T>,
  group: PageRequest[],
): Promise<Map<string, T[]>> {
  const { forward, size, afterId, beforeId } = group[0]!;
  const sql = `${childPageSql(list, {
    forward,
    parents: ':parents::bigint[]',
    limit: ':limit',
    after: afterId ? ':after' : null,
    before: beforeId ? ':before' : null,
  })}
    order by parent_id, page_rank`;
  // Parent ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
  const bindings: Record<string, string | number> = {
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
