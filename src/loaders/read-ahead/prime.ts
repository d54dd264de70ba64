import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeType } from '../../lineage/node-types';
import { groupByParent, type RankedRow } from '../child-page';
import { readModelOf } from '../../queries/read-model';
import type { ReadAheadLoaders, Row } from './read-ahead-loaders';
import type { Level } from './statement';

/**
 * Primes the request's loaders with the levels a read-ahead statement read,
 * keyed as each loader keys them: every record of a to-one level in its
 * type's key loader by id, every page of a list level in its field's loader
 * (an empty page for a parent with none). `rootKeys` are the parents of the
 * first levels when the root's rows were not read. Returns the root's rows as
 * read models when they were.
 */
export function primeLoaders(
  em: EntityManager,
  loaders: ReadAheadLoaders,
  rootType: NodeType | null,
  rootKeys: string[],
  levels: Level[],
  read: Record<string, RankedRow[]>,
): Row[] | undefined {
  // Entity class names are the node type names.
  const toModel = (type: NodeType) => readModelOf<Row>(em, type);
  // Which parents each level read children for: every row of a record level, a page's own rows of a list level.
  const rootRows = rootType ? (read.r ?? []).map(toModel(rootType)) : undefined;
  const parentsOf = new Map<string, string[]>([['r', rootRows ? rootRows.map((row) => row.id) : rootKeys]]);
  for (const { name, step, parent } of levels) {
    const rowsRead = read[name] ?? [];
    const { relation } = step;
    if (relation.kind === 'one') {
      const models = rowsRead.map(toModel(relation.type));
      const loader = loaders.key<Row>(relation.type, 'id');
      for (const model of models) loader.prime(model.id, model);
      parentsOf.set(
        name,
        models.map((model) => model.id),
      );
    } else {
      const { args, size } = step.page!;
      const byParent = groupByParent(rowsRead, toModel(relation.type));
      const loader = loaders.relationList<Row>(relation.at, relation.field);
      for (const parentId of parentsOf.get(parent)!) loader.prime(parentId, args, byParent.get(parentId) ?? []);
      parentsOf.set(
        name,
        rowsRead.filter((row) => Number(row.page_rank) <= size).map((row) => String(row.id)),
      );
    }
  }
  return rootRows;
}
