import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeType } from '../../lineage/node-types';
import { uniqueKeySql } from '../batch';
import { childPageSql } from '../child-page';
import { jsonRowSql, metadataOf } from '../../queries/read-model';
import { relationList } from '../relation-loaders';
import { cachedStatement, type Statement } from '../../sql/statement-cache';
import type { Plan, Step } from './plan';
import type { Row } from './read-ahead-loaders';

export type Root = {
  /** Names the root's SQL in the statement cache. */
  key: string;
  /** The root's rows are returned (a lookup) or only led from (a page already read). */
  type: NodeType | null;
  /** SQL of the root rows over the bound keys (`?`, one array). */
  sql: () => string;
};

export type Level = { name: string; step: Step; parent: string };

/** Every relation step below the root, depth first, each named for its CTE and its parent's. */
export function levelsOf(steps: Step[]): Level[] {
  const levels: Level[] = [];
  const walk = (parent: string, below: Step[]) => {
    for (const step of below) {
      const name = `l${levels.length}`;
      levels.push({ name, step, parent });
      walk(name, step.below);
    }
  };
  walk('r', steps);
  return levels;
}

/**
 * Every level of the plan in one statement, each a CTE over the one before,
 * built from the loaders' own key and child-page SQL; its result is one JSON
 * object of each level's rows by CTE name. Cached by root and plan shape.
 */
export function readAheadStatement(em: EntityManager, root: Root, plan: Plan, levels: Level[]): Statement {
  return cachedStatement(`read-ahead:${root.key}|${root.type ?? ''}|${plan.shape}`, () => {
    const ctes = [`r as (${root.sql()})`];
    const outputs = root.type ? [`'r', ${jsonRows(jsonRowSql(metadataOf<Row>(em, root.type), 't'), 'r')}`] : [];
    const isPage = new Set<string>();
    for (const { name, step, parent } of levels) {
      // Only a page's own rows lead on: the extra row fetched says "there is more" and nothing else.
      const parentRows = `from ${parent}${isPage.has(parent) ? ' where page_rank <= page_size' : ''}`;
      const { relation } = step;
      const meta = metadataOf<Row>(em, relation.type);
      if (relation.kind === 'one') {
        ctes.push(`${name} as (${uniqueKeySql(meta, 'id', `array(select ${relation.column} ${parentRows})`)})`);
        outputs.push(`'${name}', ${jsonRows(jsonRowSql(meta, 't'), name)}`);
      } else {
        isPage.add(name);
        const { forward, size, order } = step.page!;
        const list = relationList(relation.at, relation.field);
        // Page sizes are validated integers (0 to 100), written into the text.
        const page = childPageSql(list, {
          forward,
          order,
          parents: `array(select id ${parentRows})`,
          limit: String(size + 1),
        });
        ctes.push(`${name} as (select *, ${size} as page_size from (${page}) page)`);
        const row = jsonRowSql(meta, 't', ['parent_id', 'page_rank']);
        outputs.push(`'${name}', ${jsonRows(`${row} order by t.parent_id, t.page_rank`, name)}`);
      }
    }
    return `with ${ctes.join(',\n')}\nselect json_build_object(${outputs.join(', ')}) as levels`;
  });
}

const jsonRows = (row: string, cte: string) => `(select coalesce(json_agg(${row}), '[]'::json) from ${cte} t)`;
