import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { TradeExecution } from '../entities';

/**
 * ApiPayload.executions: the executions that sent a payload as their broker
 * request or received it as their response. Normally one; a list, so that a
 * payload wrongly shared by two executions is shown rather than hidden.
 */
export const executionsByPayload = (em: EntityManager) =>
  new DataLoader<string, TradeExecution[]>(async (payloadIds) => {
    const ids = [...payloadIds];
    const executions = await em.find(
      TradeExecution,
      { $or: [{ apiRequestPayload: { $in: ids } }, { apiResponsePayload: { $in: ids } }] },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const byPayload = new Map<string, TradeExecution[]>(ids.map((id) => [id, []]));
    for (const execution of executions) {
      for (const payload of new Set([execution.apiRequestPayload?.id, execution.apiResponsePayload?.id])) {
        if (payload !== undefined) byPayload.get(payload)?.push(execution);
      }
    }
    return ids.map((id) => byPayload.get(id)!);
  });
