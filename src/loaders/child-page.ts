import type { EntityManager, EntityName } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import type { NodeType } from '../graphql/global-id';
import type { ConnectionArgs, ConnectionResult } from '../graphql/pagination/connection';
import { childListName, decodeCursor, encodeCursor } from '../graphql/pagination/cursor';
import { pageShape, toConnection } from '../graphql/pagination/find-page';
import { readModelOf } from './read-model';
import { currentStatusColumn } from '../queries/current-status';
import { runPrepared } from './prepared-statement';

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
   * The child rows of every parent in `:parents` (a bigint[]), each with its
   * parent's id as `parent_id`. A row may appear under several parents.
   */
  rows: string;
};

type PageRequest = { parentId: string; forward: boolean; size: number; afterId: string | null; beforeId: string | null; args: ConnectionArgs };
type RankedRow = Record<string, unknown> & { parent_id: string; page_rank: string };

/**
 * Pages of a node's own list for many parents at once: one statement per
 * batch and page shape, whatever the number of parents, each parent's page cut
 * by `row_number()` over its partition. Cursors are checked before anything
 * is queued, so a bad one fails its own field, not the batch.
 */
export function childPageLoader<T extends { id: string }>(em: EntityManager, list: ChildList<T>) {
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
        for (const request of group) {
          const mine = rows.get(request.parentId) ?? [];
          const cursorList = childListName(list.parentType, request.parentId, list.field);
          pages.set(request, toConnection(mine, { ...request, after: request.args.after, before: request.args.before }, (node) => encodeCursor(cursorList, node.id)));
        }
      }
      return requests.map((request) => pages.get(request)!);
    },
    { cacheKeyFn: (request) => `${request.parentId}|${shapeKey(request)}` },
  );

  return {
    load(parentId: string, args: ConnectionArgs): Promise<ConnectionResult<T>> {
      const { forward, size } = pageShape(args);
      const cursorList = childListName(list.parentType, parentId, list.field);
      const afterId = args.after ? decodeCursor(args.after, cursorList, 'after') : null;
      const beforeId = args.before ? decodeCursor(args.before, cursorList, 'before') : null;
      return loader.load({ parentId, forward, size, afterId, beforeId, args });
    },
  };
}

const shapeKey = ({ forward, size, afterId, beforeId }: PageRequest) => `${forward}|${size}|${afterId ?? ''}|${beforeId ?? ''}`;

async function fetchPages<T extends { id: string }>(
  em: EntityManager,
  list: ChildList<T>,
  group: PageRequest[],
): Promise<Map<string, T[]>> {
  const { forward, size, afterId, beforeId } = group[0]!;
  const direction = forward ? 'asc' : 'desc';
  const { sortColumn = 'created_at', idColumn = 'id' } = list;
  const keyset = (operator: '<' | '>', binding: string) =>
    `and (c.${sortColumn}, c.${idColumn}) ${operator} (select k.${sortColumn}, k.${idColumn} from ${list.table} k where k.${idColumn} = :${binding})`;
  const sql = `
    select * from (
      select c.*${currentStatusColumn(list.table, 'c')}, row_number() over (partition by c.parent_id order by c.${sortColumn} ${direction}, c.${idColumn} ${direction}) as page_rank
      from (${list.rows}) c
      where true ${afterId ? keyset('>', 'after') : ''} ${beforeId ? keyset('<', 'before') : ''}
    ) ranked
    where page_rank <= :limit
    order by parent_id, page_rank`;
  // Parent ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
  const bindings: Record<string, string | number> = { parents: `{${group.map((request) => request.parentId).join(',')}}`, limit: size + 1 };
  if (afterId) bindings.after = afterId;
  if (beforeId) bindings.before = beforeId;
  const { rows } = await runPrepared<RankedRow>(em, sql, bindings);

  const toModel = readModelOf(em, list.entity);
  const byParent = new Map<string, T[]>();
  for (const row of rows) {
    const parentId = String(row.parent_id);
    const children = byParent.get(parentId) ?? [];
    children.push(toModel(row));
    byParent.set(parentId, children);
  }
  return byParent;
}
