import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { DecisionInput, type TradeDecision } from '../entities';
import { manyPerKey } from './batch';

/** ApiPayload.decisions: the decisions each payload fed, through decision_inputs, in one joined statement. */
export const decisionsByInputPayload = (em: EntityManager) =>
  new DataLoader<string, TradeDecision[]>(async (payloadIds) => {
    const links = await em.find(
      DecisionInput,
      { apiPayload: { $in: [...payloadIds] } },
      { populate: ['tradeDecision'], strategy: 'joined', orderBy: { tradeDecision: { createdAt: 'asc', id: 'asc' } } },
    );
    return manyPerKey(payloadIds, links, (link) => link.apiPayload.id, (link) => link.tradeDecision);
  });
