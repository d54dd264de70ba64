import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeExecution } from '../entities';
import { uniqueKeyLoader } from './batch';

/** The `execution(id:)` lookup. */
export const executionById = (em: EntityManager) => uniqueKeyLoader(em, TradeExecution, 'id');

/** The `execution(executionId:)` lookup by external id. */
export const executionByExecutionId = (em: EntityManager) => uniqueKeyLoader(em, TradeExecution, 'executionId');
