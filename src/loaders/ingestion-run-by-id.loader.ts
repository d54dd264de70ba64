import type { EntityManager } from '@mikro-orm/postgresql';
import { IngestionRun } from '../entities';
import { uniqueKeyLoader } from './batch';

/** ApiPayload.ingestionRun and the `ingestionRun(id:)` lookup. */
export const ingestionRunById = (em: EntityManager) => uniqueKeyLoader(em, IngestionRun, 'id');

/** The `ingestionRun(runId:)` lookup by external id. */
export const ingestionRunByRunId = (em: EntityManager) => uniqueKeyLoader(em, IngestionRun, 'runId');
