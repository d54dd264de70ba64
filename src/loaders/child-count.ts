import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import { runPrepared } from '../sql/prepared-statement';
import { type ChildWhere, rowsSql } from './child-where';

/**
 * The number of children of many parents at once: one `group by parent_id`
 * over the list's rows under its `where:` per batch, so a query level's counts are one statement
 * whatever its number of parents; a parent without children counts 0.
 */
export function childCountLoader(
  em: EntityManager,
  list: { parentType: string; field: string; rows: (parents: string) => string },
  where: ChildWhere,
): DataLoader<string, number> {
  const sql = `select c.parent_id::text as parent_id, count(*) as total
    from ${rowsSql(list, ':parents::bigint[]', where.sql)} c group by c.parent_id`;
  return new DataLoader<string, number>(async (parentIds) => {
    recordBatch(`${list.parentType}.${list.field}.totalCount`, parentIds.length);
    // Parent ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
    const { rows } = await runPrepared<{ parent_id: string; total: string }>(em, sql, {
      ...where.bindings,
      parents: `{${parentIds.join(',')}}`,
    });
    const totals = new Map(rows.map((row) => [row.parent_id, Number(row.total)]));
    return parentIds.map((parentId) => totals.get(parentId) ?? 0);
  });
}
