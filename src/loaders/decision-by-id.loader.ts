import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeDecision } from '../entities';
import { uniqueKeyLoader } from './batch';

/** TradeExecution.decision and the `decision(id:)` lookup. */
export const decisionById = (em: EntityManager) => uniqueKeyLoader(em, TradeDecision, 'id');

/** The `decision(decisionId:)` lookup by external id. */
export const decisionByDecisionId = (em: EntityManager) => uniqueKeyLoader(em, TradeDecision, 'decisionId');
