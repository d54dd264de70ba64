import type { EntityManager } from '@mikro-orm/postgresql';
import { QueryDocument } from '../entities';
import { uniqueKeyLoader } from './batch';

/** QueryAuditEntry.document. */
export const queryDocumentByHash = (em: EntityManager) => uniqueKeyLoader(em, QueryDocument, 'queryHash');
