import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeyById } from './api-key-by-id.loader';
import { decisionByDecisionId, decisionById } from './decision-by-id.loader';
import { decisionsByInputPayload } from './decisions-by-input-payload.loader';
import {
  eventsOfDecision,
  eventsOfExecution,
  eventsOfIngestionRun,
  eventsOfPayload,
  eventsOfPosition,
} from './events-by-subject.loader';
import { executionByExecutionId, executionById } from './execution-by-id.loader';
import { executionsByDecision } from './executions-by-decision.loader';
import { executionsByPayload } from './executions-by-payload.loader';
import { executionsByPosition } from './executions-by-position.loader';
import { ingestionRunById, ingestionRunByRunId } from './ingestion-run-by-id.loader';
import { inputPayloadsByDecision } from './input-payloads-by-decision.loader';
import { payloadById } from './payload-by-id.loader';
import { payloadsByIngestionRun } from './payloads-by-ingestion-run.loader';
import { positionById } from './position-by-id.loader';
import { lineagePrefetchLoader } from './lineage.prefetch';
import { queryDocumentByHash } from './query-document-by-hash.loader';

const factories = {
  ingestionRunById,
  ingestionRunByRunId,
  payloadById,
  payloadsByIngestionRun,
  decisionById,
  decisionByDecisionId,
  decisionsByInputPayload,
  inputPayloadsByDecision,
  executionById,
  executionByExecutionId,
  executionsByDecision,
  executionsByPosition,
  executionsByPayload,
  positionById,
  lineagePrefetch: lineagePrefetchLoader,
  apiKeyById,
  queryDocumentByHash,
  eventsOfIngestionRun,
  eventsOfPayload,
  eventsOfDecision,
  eventsOfExecution,
  eventsOfPosition,
};

export type Loaders = { readonly [Name in keyof typeof factories]: ReturnType<(typeof factories)[Name]> };

/**
 * A fresh set of loaders over one request's EntityManager. Never shared
 * between requests: a loader caches what it loaded, and a cache that outlived
 * its request would serve one caller's view to another. Each is made on first
 * use — a point lookup needs one of them.
 */
export function createLoaders(em: EntityManager): Loaders {
  const made: Partial<Record<keyof Loaders, unknown>> = {};
  const loaders = {} as Loaders;
  for (const name of Object.keys(factories) as (keyof Loaders)[]) {
    // A loader that fills others (a prefetch) is given the set it belongs to.
    Object.defineProperty(loaders, name, {
      enumerable: true,
      get: () => (made[name] ??= factories[name](em, loaders)),
    });
  }
  return loaders;
}
