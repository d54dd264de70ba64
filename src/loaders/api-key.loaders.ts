import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey } from '../entities';
import { uniqueKeyLoader } from './batch';

/** QueryAuditEntry.key. */
export const apiKeyById = (em: EntityManager) => uniqueKeyLoader(em, ApiKey, 'id');
