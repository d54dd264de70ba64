import type DataLoader from 'dataloader';
import type { NodeType } from '../graphql/global-id';
import type { Loaders } from './index';

type KeyLoaderName =
  | 'ingestionRunById'
  | 'ingestionRunByRunId'
  | 'payloadById'
  | 'decisionById'
  | 'decisionByDecisionId'
  | 'executionById'
  | 'executionByExecutionId'
  | 'positionById';

/** The loader of each node type by each key it is looked up by: its id, or an external id. */
const KEY_LOADERS: { [Type in NodeType]: Partial<Record<string, KeyLoaderName>> } = {
  IngestionRun: { id: 'ingestionRunById', runId: 'ingestionRunByRunId' },
  ApiPayload: { id: 'payloadById' },
  TradeDecision: { id: 'decisionById', decisionId: 'decisionByDecisionId' },
  TradeExecution: { id: 'executionById', executionId: 'executionByExecutionId' },
  Position: { id: 'positionById' },
};

/** The request's loader of `type` records by `property`. */
export function keyLoader<T = object>(
  loaders: Loaders,
  type: NodeType,
  property: string,
): DataLoader<string, T | null> {
  const name = KEY_LOADERS[type][property];
  if (!name) throw new Error(`no key loader for ${type}.${property}`);
  return loaders[name] as unknown as DataLoader<string, T | null>;
}
