import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { ApiPayload, IngestionRun, Position, TradeDecision, TradeExecution } from '../entities';
import type { ConnectionArgs } from '../graphql/pagination/connection';
import { pageShape } from '../graphql/pagination/find-page';
import { argumentsOf, connectionNodeFields, selectedFields } from '../graphql/selection';
import { recordBatch } from '../metrics/dataloader-metrics';
import { uniqueKeySql } from './batch';
import { childPageSql, groupByParent, type RankedRow } from './child-page';
import type { Loaders } from './index';
import { runPrepared } from './prepared-statement';
import { jsonRowSql, metadataOf, readModelOf } from './read-model';

type ListPlan = { args: ConnectionArgs; forward: boolean; size: number };
type BrokerPayloadColumn = 'api_request_payload_id' | 'api_response_payload_id';

/** Which levels of a position's provenance an operation asks for, and with which page arguments. */
export type ProvenancePlan = {
  executions: ListPlan;
  decisions: boolean;
  inputs: ListPlan | null;
  brokerPayloads: BrokerPayloadColumn[];
  runsOfInputs: boolean;
  runsOfBrokerPayloads: boolean;
};

type Request = { positionId: string; plan: ProvenancePlan };
type Prefetched = { p: RankedRow[]; e: RankedRow[]; d?: RankedRow[]; i?: RankedRow[]; a?: RankedRow[]; r?: RankedRow[] };

/**
 * The upstream walk from a position — executions, their decisions and broker
 * payloads, the decisions' input payloads, the runs that fetched them — in
 * one SQL statement instead of one per level, as PostGraphile compiles a
 * nested query. It does not answer the query itself: it primes the
 * request's loaders with exactly the pages and records they would have read,
 * so every resolver, authorization check and page rule runs unchanged and
 * finds its data already loaded. Positions asked for together (aliases) share
 * the statement.
 */
export function provenancePrefetchLoader(em: EntityManager, loaders: Loaders): DataLoader<Request, Position | null, string> {
  return new DataLoader<Request, Position | null, string>(
    async (requests) => {
      recordBatch('Position.provenance', requests.length);
      const byPlan = new Map<string, Request[]>();
      for (const request of requests) {
        const key = planKey(request.plan);
        const group = byPlan.get(key);
        if (group) group.push(request);
        else byPlan.set(key, [request]);
      }
      for (const group of byPlan.values()) await prefetch(em, loaders, group);
      return Promise.all(requests.map((request) => loaders.positionById.load(request.positionId)));
    },
    { cacheKeyFn: (request) => `${request.positionId}|${planKey(request.plan)}` },
  );
}

/**
 * What `position(id:)`'s selection asks below it, or null when the plain
 * lookup serves (no executions asked, or a cursor's page: those stay with
 * their loaders, which check the cursor).
 */
export function provenancePlanOf(info: GraphQLResolveInfo): ProvenancePlan | null {
  const position = selectedFields(info, info.fieldNodes.map((node) => node.selectionSet));
  const executionsField = position.get('executions')?.[0];
  const executions = executionsField ? listPlan(info, 'Position', executionsField) : null;
  if (!executionsField || !executions) return null;
  const execution = connectionNodeFields(info, executionsField);
  const inputsField = selectedFields(info, fieldSets(execution, 'decision')).get('inputs')?.[0];
  const inputs = inputsField ? listPlan(info, 'TradeDecision', inputsField) : null;
  return {
    executions,
    decisions: execution.has('decision'),
    inputs,
    brokerPayloads: [
      ...(execution.has('requestPayload') ? (['api_request_payload_id'] as const) : []),
      ...(execution.has('responsePayload') ? (['api_response_payload_id'] as const) : []),
    ],
    runsOfInputs: inputs !== null && connectionNodeFields(info, inputsField!).has('ingestionRun'),
    runsOfBrokerPayloads: selectedFields(info, [...fieldSets(execution, 'requestPayload'), ...fieldSets(execution, 'responsePayload')]).has('ingestionRun'),
  };
}

const fieldSets = (fields: Map<string, FieldNode[]>, name: string) => (fields.get(name) ?? []).map((field) => field.selectionSet);

function listPlan(info: GraphQLResolveInfo, typeName: string, field: FieldNode): ListPlan | null {
  const args = argumentsOf<ConnectionArgs>(info, typeName, field);
  if (args.after || args.before) return null;
  try {
    return { args, ...pageShape(args) };
  } catch {
    // A page size out of range is refused by the list's own resolver, with the field's path.
    return null;
  }
}

const planKey = (plan: ProvenancePlan) =>
  JSON.stringify([plan.executions.forward, plan.executions.size, plan.decisions, plan.inputs?.forward, plan.inputs?.size, plan.brokerPayloads, plan.runsOfInputs, plan.runsOfBrokerPayloads]);

/** One statement: each level a CTE over the one before, every level's rows returned as a JSON array. */
function provenanceSql(em: EntityManager, loaders: Loaders, plan: ProvenancePlan): string {
  const levels: { name: keyof Prefetched; sql: string; row: string; order?: string }[] = [];
  const add = (name: keyof Prefetched, sql: string, row: string, order?: string) => levels.push({ name, sql, row, order });
  const inPage = 'order by t.parent_id, t.page_rank';

  add('p', uniqueKeySql(metadataOf(em, Position), 'id', ':positions::bigint[]'), jsonRowSql(metadataOf(em, Position), 't'));
  add(
    'e',
    childPageSql(loaders.executionsByPosition.list, { forward: plan.executions.forward, parents: 'array(select id from p)', limit: ':executionsLimit' }),
    jsonRowSql(metadataOf(em, TradeExecution), 't', ['parent_id']),
    inPage,
  );
  // Only a page's own rows lead on: the extra one fetched says "there is more" and nothing else.
  const executionsOnPage = 'from e where page_rank <= :executionsSize';
  if (plan.decisions) {
    add('d', uniqueKeySql(metadataOf(em, TradeDecision), 'id', `array(select trade_decision_id ${executionsOnPage})`), jsonRowSql(metadataOf(em, TradeDecision), 't'));
  }
  if (plan.decisions && plan.inputs) {
    add(
      'i',
      childPageSql(loaders.inputPayloadsByDecision.list, { forward: plan.inputs.forward, parents: 'array(select id from d)', limit: ':inputsLimit' }),
      jsonRowSql(metadataOf(em, ApiPayload), 't', ['parent_id']),
      inPage,
    );
  }
  if (plan.brokerPayloads.length > 0) {
    const keys = plan.brokerPayloads.map((column) => `select ${column} ${executionsOnPage}`).join(' union ');
    add('a', uniqueKeySql(metadataOf(em, ApiPayload), 'id', `array(${keys})`), jsonRowSql(metadataOf(em, ApiPayload), 't'));
  }
  const runKeys = [
    ...(plan.decisions && plan.inputs && plan.runsOfInputs ? ['select ingestion_run_id from i where page_rank <= :inputsSize'] : []),
    ...(plan.brokerPayloads.length > 0 && plan.runsOfBrokerPayloads ? ['select ingestion_run_id from a'] : []),
  ];
  if (runKeys.length > 0) {
    add('r', uniqueKeySql(metadataOf(em, IngestionRun), 'id', `array(${runKeys.join(' union ')})`), jsonRowSql(metadataOf(em, IngestionRun), 't'));
  }

  return `with ${levels.map((level) => `${level.name} as (${level.sql})`).join(',\n')}
    select json_build_object(${levels
      .map((level) => `'${level.name}', (select coalesce(json_agg(${level.row} ${level.order ?? ''}), '[]'::json) from ${level.name} t)`)
      .join(', ')}) as levels`;
}

async function prefetch(em: EntityManager, loaders: Loaders, requests: Request[]): Promise<void> {
  const { plan } = requests[0]!;
  // Position ids are validated digits, so a PostgreSQL array literal is safe as one parameter.
  const bindings = {
    positions: `{${requests.map((request) => request.positionId).join(',')}}`,
    executionsLimit: plan.executions.size + 1,
    executionsSize: plan.executions.size,
    inputsLimit: (plan.inputs?.size ?? 0) + 1,
    inputsSize: plan.inputs?.size ?? 0,
  };
  const { rows } = await runPrepared<{ levels: Prefetched }>(em, provenanceSql(em, loaders, plan), bindings);
  const levels = rows[0]!.levels;

  const positions = levels.p.map(readModelOf(em, Position));
  const found = new Set(positions.map((position) => position.id));
  for (const position of positions) loaders.positionById.prime(position.id, position);
  for (const { positionId } of requests) if (!found.has(positionId)) loaders.positionById.prime(positionId, null);

  const executions = groupByParent(levels.e, readModelOf(em, TradeExecution));
  for (const position of positions) loaders.executionsByPosition.prime(position.id, plan.executions.args, executions.get(position.id) ?? []);

  const decisions = (levels.d ?? []).map(readModelOf(em, TradeDecision));
  for (const decision of decisions) loaders.decisionById.prime(decision.id, decision);
  if (plan.inputs && levels.i) {
    const inputs = groupByParent(levels.i, readModelOf(em, ApiPayload));
    for (const decision of decisions) loaders.inputPayloadsByDecision.prime(decision.id, plan.inputs.args, inputs.get(decision.id) ?? []);
  }
  for (const payload of (levels.a ?? []).map(readModelOf(em, ApiPayload))) loaders.payloadById.prime(payload.id, payload);
  for (const run of (levels.r ?? []).map(readModelOf(em, IngestionRun))) loaders.ingestionRunById.prime(run.id, run);
}
