import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toGlobalId } from '../src/graphql/global-id';

/** Ids the requests rotate over, drawn at random from the dataset. */
export type Samples = {
  positionIds: string[];
  runIds: string[];
  executionIds: string[];
  rationales: Record<string, unknown>[];
};

export type SystemName = 'gateway' | 'floor' | 'postgraphile';
export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4';

/** How one system is asked one workload: a request for a sample index, and a check of its answer. */
export type Request = { method: 'POST' | 'GET'; path: string; body?: string };
export type Workload = {
  name: WorkloadName;
  title: string;
  request(system: SystemName, samples: Samples, index: number): Request | undefined;
  /** True when an answer holds data (a check before measuring, never during). */
  answered(system: SystemName, json: unknown): boolean;
};

const examples = readFileSync(path.join(__dirname, '..', '..', 'examples', 'investigations.graphql'), 'utf8');
const graphql = (query: string, variables: Record<string, unknown>, operationName?: string): Request => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
});
const pick = <T>(list: T[], index: number) => list[index % list.length]!;
const dataOf = (json: unknown) => (json as { data?: Record<string, unknown> | null; errors?: unknown[] }) ?? {};
const hasData = (json: unknown, field?: string) => {
  const { data, errors } = dataOf(json);
  if (errors?.length || data == null) return false;
  const value = field ? data[field] : data;
  return Array.isArray(value) ? value.length > 0 : value != null;
};

const POSTGRAPHILE_W1 = `query($id: BigInt!) { positionByRowId(rowId: $id) { id account symbol quantity status
  tradeExecutionsByPositionId { nodes { executionId status filledQuantity fillPrice
    apiPayloadByApiRequestPayloadId { id endpoint payload }
    apiPayloadByApiResponsePayloadId { id httpStatus payload }
    tradeDecisionByTradeDecisionId { decisionId strategy side quantity status decisionRationale
      decisionInputRecordsByTradeDecisionId { nodes { apiPayloadByApiPayloadId { id provider endpoint payload
        dataIngestionRunByIngestionRunId { runId taskName source status startedAt } } } } } } } } }`;

const GATEWAY_W2 = `query($rationale: JSON!) { decisions(first: 50, filter: { rationale: { contains: $rationale } }) {
  nodes { decisionId symbol status executions { nodes { executionId status responsePayload { httpStatus } } } } } }`;
const POSTGRAPHILE_W2 = `query($rationale: JSON!) { allTradeDecisions(first: 50,
    filter: { decisionRationale: { contains: $rationale } }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
  nodes { decisionId symbol status tradeExecutionsByTradeDecisionId { nodes { executionId status
    apiPayloadByApiResponsePayloadId { httpStatus } } } } } }`;

const GATEWAY_W3 = `query($from: ID!) { lineage(from: $from, direction: DOWNSTREAM, depth: 4) {
  nodeCount truncated edges { from to kind } } }`;

const GATEWAY_W4 = `query($id: String!) { execution(executionId: $id) {
  executionId status filledQuantity fillPrice } }`;
const POSTGRAPHILE_W4 = `query($id: String!) { tradeExecutionByExecutionId(executionId: $id) {
  executionId status filledQuantity fillPrice } }`;

const floor = (workload: string, id: string): Request => ({
  method: 'GET',
  path: `/${workload}?id=${encodeURIComponent(id)}`,
});

export const WORKLOADS: Workload[] = [
  {
    name: 'W1',
    title: 'provenance of a position (six levels, the README query)',
    request(system, samples, index) {
      const id = pick(samples.positionIds, index);
      if (system === 'gateway') return graphql(examples, { positionId: toGlobalId('Position', id) }, 'Provenance');
      if (system === 'postgraphile') return graphql(POSTGRAPHILE_W1, { id });
      return floor('w1', id);
    },
    answered: (system, json) =>
      hasData(json, system === 'gateway' ? 'position' : system === 'postgraphile' ? 'positionByRowId' : undefined),
  },
  {
    name: 'W2',
    title: '50 decisions by JSONB containment on the rationale, with executions and response statuses',
    request(system, samples, index) {
      const rationale = pick(samples.rationales, index);
      if (system === 'gateway') return graphql(GATEWAY_W2, { rationale });
      if (system === 'postgraphile') return graphql(POSTGRAPHILE_W2, { rationale });
      return floor('w2', JSON.stringify(rationale));
    },
    answered: (system, json) => {
      if (system === 'floor') return hasData(json);
      const { data } = dataOf(json);
      const list = (
        data?.[system === 'gateway' ? 'decisions' : 'allTradeDecisions'] as { nodes?: unknown[] } | undefined
      )?.nodes;
      return Array.isArray(list) && list.length > 0;
    },
  },
  {
    name: 'W3',
    title: 'downstream lineage (blast radius) of an ingestion run, depth 4',
    request(system, samples, index) {
      const id = pick(samples.runIds, index);
      if (system === 'gateway') return graphql(GATEWAY_W3, { from: toGlobalId('IngestionRun', id) });
      if (system === 'floor') return floor('w3', id);
      return undefined; // PostGraphile has no graph walk; the issue asks W1, W2 and W4 of it.
    },
    answered: (system, json) => hasData(json, system === 'gateway' ? 'lineage' : undefined),
  },
  {
    name: 'W4',
    title: 'one execution by external id (the per-request floor)',
    request(system, samples, index) {
      const id = pick(samples.executionIds, index);
      if (system === 'gateway') return graphql(GATEWAY_W4, { id });
      if (system === 'postgraphile') return graphql(POSTGRAPHILE_W4, { id });
      return floor('w4', id);
    },
    answered: (system, json) =>
      hasData(
        json,
        system === 'gateway' ? 'execution' : system === 'postgraphile' ? 'tradeExecutionByExecutionId' : undefined,
      ),
  },
];
