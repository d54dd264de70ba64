import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { TradeExecution } from '../entities';
import { manyPerKey } from './batch';

/** TradeDecision.executions, oldest first (more than one is a duplicate the integrity audit flags). */
export const executionsByDecision = (em: EntityManager) =>
  new DataLoader<string, TradeExecution[]>(async (decisionIds) => {
    const executions = await em.find(
      TradeExecution,
      { tradeDecision: { $in: [...decisionIds] } },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return manyPerKey(decisionIds, executions, (execution) => execution.tradeDecision?.id);
  });
