import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeyById } from './api-key-by-id.loader';
import { decisionByDecisionId, decisionById } from './decision-by-id.loader';
import { decisionsByInputPayload } from './decisions-by-input-payload.loader';
import { executionByExecutionId, executionById } from './execution-by-id.loader';
import { executionsByDecision } from './executions-by-decision.loader';
import { executionsByPayload } from './executions-by-payload.loader';
import { executionsByPosition } from './executions-by-position.loader';
import { ingestionRunById, ingestionRunByRunId } from './ingestion-run-by-id.loader';
import { inputPayloadsByDecision } from './input-payloads-by-decision.loader';
import { payloadById } from './payload-by-id.loader';
import { payloadsByIngestionRun } from './payloads-by-ingestion-run.loader';
import { positionById } from './position-by-id.loader';
import { queryDocumentByHash } from './query-document-by-hash.loader';

/**
 * A fresh set of loaders over one request's EntityManager. Never shared
 * between requests: a loader caches what it loaded, and a cache that outlived
 * its request would serve one caller's view to another.
 */
export function createLoaders(em: EntityManager) {
  return {
    ingestionRunById: ingestionRunById(em),
    ingestionRunByRunId: ingestionRunByRunId(em),
    payloadById: payloadById(em),
    payloadsByIngestionRun: payloadsByIngestionRun(em),
    decisionById: decisionById(em),
    decisionByDecisionId: decisionByDecisionId(em),
    decisionsByInputPayload: decisionsByInputPayload(em),
    inputPayloadsByDecision: inputPayloadsByDecision(em),
    executionById: executionById(em),
    executionByExecutionId: executionByExecutionId(em),
    executionsByDecision: executionsByDecision(em),
    executionsByPosition: executionsByPosition(em),
    executionsByPayload: executionsByPayload(em),
    positionById: positionById(em),
    apiKeyById: apiKeyById(em),
    queryDocumentByHash: queryDocumentByHash(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
