import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { TradeExecution } from '../entities';
import { manyPerKey } from './batch';

/** Position.executions: the fills that built each position, oldest first. */
export const executionsByPosition = (em: EntityManager) =>
  new DataLoader<string, TradeExecution[]>(async (positionIds) => {
    const executions = await em.find(
      TradeExecution,
      { position: { $in: [...positionIds] } },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return manyPerKey(positionIds, executions, (execution) => execution.position?.id);
  });
