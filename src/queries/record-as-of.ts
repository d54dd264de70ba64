import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeType } from '../lineage/node-types';
import type { Instant } from '../time/instant';
import { existedAtCondition } from './as-of';
import { readModels } from './read-model';

/**
 * One record by row id as it stood at `instant` (see as-of.ts), in one
 * statement; null when it is unknown or did not exist yet.
 */
export async function recordAsOf<T extends object>(
  em: EntityManager,
  type: NodeType,
  id: string,
  instant: Instant,
): Promise<T | null> {
  const existed = existedAtCondition(type, instant);
  // Entity class names are the node type names.
  const [found] = await readModels<T>(
    em,
    type as EntityName<T>,
    (qb) => qb.where({ id } as never).andWhere(existed.sql, existed.params),
    instant,
  );
  return found ?? null;
}
