import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiPayload } from '../entities';
import { uniqueKeyLoader } from './batch';

/**
 * TradeExecution.requestPayload and .responsePayload share this loader, so
 * both broker payloads of every execution on a level cost one statement.
 */
export const payloadById = (em: EntityManager) => uniqueKeyLoader(em, ApiPayload, 'id');
