import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { type ApiPayload, DecisionInput } from '../entities';
import { manyPerKey } from './batch';

/** TradeDecision.inputs: the payloads that fed each decision, in one joined statement. */
export const inputPayloadsByDecision = (em: EntityManager) =>
  new DataLoader<string, ApiPayload[]>(async (decisionIds) => {
    const links = await em.find(
      DecisionInput,
      { tradeDecision: { $in: [...decisionIds] } },
      { populate: ['apiPayload'], strategy: 'joined', orderBy: { apiPayload: { createdAt: 'asc', id: 'asc' } } },
    );
    return manyPerKey(decisionIds, links, (link) => link.tradeDecision.id, (link) => link.apiPayload);
  });
