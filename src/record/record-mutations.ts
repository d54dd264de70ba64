import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { fromGlobalId } from '../lineage/global-id';
import { LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';
import { currentStatusSql } from '../queries/current-status';
import { stringifyExactJson } from '../json/exact-json';
import type {
  ApiPayloadInput,
  AuditEventInput,
  IngestionRunInput,
  PositionInput,
  RecordResult,
  StatusChangeInput,
  TradeDecisionInput,
  TradeExecutionInput,
} from './record-inputs';
import type { RecordKind } from './record-inputs';
import {
  DECISIONS,
  EVENTS,
  EXECUTIONS,
  PAYLOADS,
  POSITIONS,
  RECORD_TABLE_OF,
  type RecordTable,
  RUNS,
} from './record-tables';
import {
  emptyBundle,
  type PendingRecord,
  type RecordBundle,
  RecordError,
  writeBundle,
  zeroCounts,
} from './record-writer';
import { inWriteTransaction } from './write-transaction';

export const MAX_RECORDS = 1_000;
const MAX_TEXT = 500;

/** Each record kind's table and which of its statuses may follow which (anything else is refused). */
const KINDS = new Map<RecordKind, { spec: RecordTable; transitions: Partial<Record<string, readonly string[]>> }>(
  LIFECYCLE_TYPES.map(({ type, lifecycle }) => [
    tableOf(type),
    { spec: RECORD_TABLE_OF[type], transitions: lifecycle.transitions },
  ]),
);

function checkText(value: string | null | undefined, where: string, required = true): void {
  if (value == null) {
    if (required) throw new BadInputError(`${where} is required`, where);
    return;
  }
  if (value.trim() === '' || value.length > MAX_TEXT)
    throw new BadInputError(`${where} must be non-empty and at most ${MAX_TEXT} characters`, where);
}

/** A decimal's sign read from its digits, not through a float: `-0.00` is zero, `0.00000001` above it. */
const signOf = (decimal: string): -1 | 0 | 1 => (!/[1-9]/.test(decimal) ? 0 : decimal.startsWith('-') ? -1 : 1);

function checkDecimal(value: string | null | undefined, where: string, rule: 'positive' | 'not negative'): void {
  if (value == null) return;
  const sign = signOf(value);
  if ((rule === 'positive' && sign <= 0) || (rule === 'not negative' && sign < 0))
    throw new BadInputError(`${where} must be ${rule === 'positive' ? 'above 0' : 'at least 0'}; got ${value}`, where);
}

function checkCount(records: unknown[]): void {
  if (records.length < 1 || records.length > MAX_RECORDS)
    throw new BadInputError(`send from 1 to ${MAX_RECORDS} records; got ${records.length}`, 'records');
}

/** Link columns to fill from the rows the producer ids name; absent ids link nothing. */
const links = (
  entries: [column: string, table: RecordTable, externalId: string | null | undefined][],
): PendingRecord['links'] =>
  Object.fromEntries(
    entries
      .filter(([, , externalId]) => externalId != null)
      .map(([column, table, externalId]) => [column, { table, externalId: externalId! }]),
  );

/**
 * Runs one record mutation: every record validated, then all of them written
 * in one transaction through the idempotent writer (a CONFLICT or a bad link
 * anywhere writes nothing); answers the row ids in the order sent.
 */
async function record(
  em: EntityManager,
  actor: string,
  spec: RecordTable,
  keys: string[],
  fill: (bundle: RecordBundle, trx: Knex.Transaction) => void | Promise<void>,
  after?: (trx: Knex.Transaction, ids: Map<string, string>) => Promise<void>,
): Promise<RecordResult> {
  const counts = zeroCounts();
  return inWriteTransaction(em, actor, async (trx) => {
    const bundle = emptyBundle();
    await fill(bundle, trx);
    const known = await writeBundle(trx, bundle, counts, actor);
    const ids = known.get(spec)!;
    await after?.(trx, ids);
    return {
      created: counts[spec.table].created,
      unchanged: counts[spec.table].unchanged,
      databaseIds: keys.map((key) => ids.get(key)!),
    };
  });
}

export function recordIngestionRuns(
  em: EntityManager,
  actor: string,
  runs: IngestionRunInput[],
): Promise<RecordResult> {
  checkCount(runs);
  runs.forEach((run, index) => {
    for (const field of ['runId', 'taskName', 'source'] as const) checkText(run[field], `records[${index}].${field}`);
    if (run.recordsFetched != null && run.recordsFetched < 0)
      throw new BadInputError(`records[${index}].recordsFetched must be at least 0`, 'recordsFetched');
  });
  return record(
    em,
    actor,
    RUNS,
    runs.map((run) => run.runId),
    (bundle) => {
      bundle.runs = runs.map((run, index) => ({
        source: `records[${index}]`,
        row: {
          run_id: run.runId,
          task_name: run.taskName,
          source: run.source,
          status: run.status,
          records_fetched: run.recordsFetched ?? 0,
          error_message: run.errorMessage ?? null,
          metadata: run.metadata ?? {},
          started_at: run.startedAt,
          finished_at: run.finishedAt ?? null,
          created_at: run.startedAt,
        },
      }));
    },
  );
}

export function recordApiPayloads(
  em: EntityManager,
  actor: string,
  payloads: ApiPayloadInput[],
): Promise<RecordResult> {
  checkCount(payloads);
  payloads.forEach((payload, index) => {
    for (const field of ['externalId', 'provider', 'endpoint', 'httpMethod'] as const)
      checkText(payload[field], `records[${index}].${field}`);
    if (payload.httpStatus != null && (payload.httpStatus < 100 || payload.httpStatus > 599))
      throw new BadInputError(`records[${index}].httpStatus must be an HTTP status from 100 to 599`, 'httpStatus');
    if (payload.latencyMs != null && payload.latencyMs < 0)
      throw new BadInputError(`records[${index}].latencyMs must be at least 0`, 'latencyMs');
  });
  return record(
    em,
    actor,
    PAYLOADS,
    payloads.map((payload) => payload.externalId),
    (bundle) => {
      bundle.payloads = payloads.map((payload, index) => ({
        source: `records[${index}]`,
        row: {
          external_id: payload.externalId,
          direction: payload.direction,
          provider: payload.provider,
          endpoint: payload.endpoint,
          http_method: payload.httpMethod,
          http_status: payload.httpStatus ?? null,
          latency_ms: payload.latencyMs ?? null,
          payload: payload.payload ?? null,
          payload_bytes: Buffer.byteLength(stringifyExactJson(payload.payload ?? null)),
          correlation_id: payload.correlationId ?? null,
          created_at: payload.createdAt,
        },
        links: links([['ingestion_run_id', RUNS, payload.ingestionRunId]]),
      }));
    },
  );
}

export function recordPositions(em: EntityManager, actor: string, positions: PositionInput[]): Promise<RecordResult> {
  checkCount(positions);
  positions.forEach((position, index) => {
    for (const field of ['externalId', 'account', 'symbol'] as const)
      checkText(position[field], `records[${index}].${field}`);
    checkDecimal(position.avgCost, `records[${index}].avgCost`, 'not negative');
  });
  return record(
    em,
    actor,
    POSITIONS,
    positions.map((position) => position.externalId),
    (bundle) => {
      bundle.positions = positions.map((position, index) => ({
        source: `records[${index}]`,
        row: {
          external_id: position.externalId,
          account: position.account,
          symbol: position.symbol,
          quantity: position.quantity,
          avg_cost: position.avgCost ?? null,
          status: position.status ?? 'open',
          opened_at: position.openedAt,
          closed_at: position.closedAt ?? null,
        },
      }));
    },
  );
}

export function recordDecisions(
  em: EntityManager,
  actor: string,
  decisions: TradeDecisionInput[],
): Promise<RecordResult> {
  checkCount(decisions);
  decisions.forEach((decision, index) => {
    for (const field of ['decisionId', 'strategy', 'symbol', 'orderType'] as const)
      checkText(decision[field], `records[${index}].${field}`);
    checkDecimal(decision.quantity, `records[${index}].quantity`, 'positive');
    checkDecimal(decision.limitPrice, `records[${index}].limitPrice`, 'positive');
    if ((decision.inputPayloadIds?.length ?? 0) > 100)
      throw new BadInputError(`records[${index}].inputPayloadIds: at most 100`, 'inputPayloadIds');
  });
  return record(
    em,
    actor,
    DECISIONS,
    decisions.map((decision) => decision.decisionId),
    (bundle) => {
      bundle.decisions = decisions.map((decision, index) => ({
        source: `records[${index}]`,
        row: {
          decision_id: decision.decisionId,
          strategy: decision.strategy,
          symbol: decision.symbol,
          side: decision.side,
          quantity: decision.quantity,
          order_type: decision.orderType,
          limit_price: decision.limitPrice ?? null,
          status: decision.status ?? 'pending',
          decision_rationale: decision.rationale ?? null,
          correlation_id: decision.correlationId ?? null,
          created_at: decision.createdAt,
        },
      }));
    },
    (trx, ids) => recordDecisionInputs(trx, decisions, ids),
  );
}

/** The FED edges: written with a new decision; for one already recorded they must be the ones it was recorded with. */
async function recordDecisionInputs(
  trx: Knex.Transaction,
  decisions: TradeDecisionInput[],
  ids: Map<string, string>,
): Promise<void> {
  const wanted = [...new Set(decisions.flatMap((decision) => decision.inputPayloadIds ?? []))];
  const payloads =
    wanted.length === 0
      ? []
      : ((await trx(PAYLOADS.table).select('id', 'external_id').whereIn('external_id', wanted)) as {
          id: string;
          external_id: string;
        }[]);
  const payloadId = new Map(payloads.map((row) => [row.external_id, String(row.id)]));
  const stored = (await trx('decision_inputs')
    .select('trade_decision_id', 'api_payload_id')
    .whereIn('trade_decision_id', [...ids.values()])) as { trade_decision_id: string; api_payload_id: string }[];
  const links: { trade_decision_id: string; api_payload_id: string }[] = [];
  decisions.forEach((decision, index) => {
    const decisionId = ids.get(decision.decisionId)!;
    const given = (decision.inputPayloadIds ?? []).map((externalId) => {
      const id = payloadId.get(externalId);
      if (!id)
        throw new RecordError(
          `records[${index}]`,
          `inputPayloadIds names api_payloads ${JSON.stringify(externalId)}, which is not recorded`,
          'BAD_USER_INPUT',
        );
      return id;
    });
    const before = stored
      .filter((row) => String(row.trade_decision_id) === decisionId)
      .map((row) => String(row.api_payload_id))
      .sort();
    const after = [...new Set(given)].sort();
    if (before.length === 0)
      links.push(...after.map((api_payload_id) => ({ trade_decision_id: decisionId, api_payload_id })));
    else if (before.join() !== after.join()) {
      throw new RecordError(
        `records[${index}]`,
        `${DECISIONS.table} ${decision.decisionId} is already recorded with other input payloads`,
        'CONFLICT',
      );
    }
  });
  if (links.length > 0)
    await trx('decision_inputs').insert(links).onConflict(['trade_decision_id', 'api_payload_id']).ignore();
}

export function recordExecutions(
  em: EntityManager,
  actor: string,
  executions: TradeExecutionInput[],
): Promise<RecordResult> {
  checkCount(executions);
  executions.forEach((execution, index) => {
    checkText(execution.executionId, `records[${index}].executionId`);
    checkText(execution.brokerOrderId, `records[${index}].brokerOrderId`, false);
    checkText(execution.errorMessage, `records[${index}].errorMessage`, false);
    checkDecimal(execution.filledQuantity, `records[${index}].filledQuantity`, 'not negative');
    checkDecimal(execution.fillPrice, `records[${index}].fillPrice`, 'positive');
    checkDecimal(execution.commission, `records[${index}].commission`, 'not negative');
  });
  return record(
    em,
    actor,
    EXECUTIONS,
    executions.map((execution) => execution.executionId),
    (bundle) => {
      bundle.executions = executions.map((execution, index) => ({
        source: `records[${index}]`,
        row: {
          execution_id: execution.executionId,
          broker_order_id: execution.brokerOrderId ?? null,
          status: execution.status,
          filled_quantity: execution.filledQuantity ?? '0',
          fill_price: execution.fillPrice ?? null,
          commission: execution.commission ?? null,
          error_message: execution.errorMessage ?? null,
          submitted_at: execution.submittedAt ?? null,
          filled_at: execution.filledAt ?? null,
          created_at: execution.createdAt,
        },
        links: links([
          ['trade_decision_id', DECISIONS, execution.decisionId],
          ['position_id', POSITIONS, execution.positionId],
          ['api_request_payload_id', PAYLOADS, execution.requestPayloadId],
          ['api_response_payload_id', PAYLOADS, execution.responsePayloadId],
        ]),
      }));
    },
  );
}

export async function recordStatusChanges(
  em: EntityManager,
  actor: string,
  changes: StatusChangeInput[],
): Promise<RecordResult> {
  checkCount(changes);
  changes.forEach((change, index) => {
    checkText(change.externalId, `records[${index}].externalId`);
    checkText(change.subject.externalId, `records[${index}].subject.externalId`);
    checkText(change.reason, `records[${index}].reason`, false);
  });
  return record(
    em,
    actor,
    EVENTS,
    changes.map((change) => change.externalId),
    async (bundle, trx) => {
      // A change sent again is compared with what was recorded, `from` included: that was the status then.
      const recorded = (await trx(EVENTS.table)
        .select('external_id', 'event_data')
        .whereIn(
          'external_id',
          changes.map((change) => change.externalId),
        )) as { external_id: string; event_data: { from?: string } }[];
      const already = new Map(recorded.map((row) => [row.external_id, row.event_data.from]));
      // Each subject's current status, one statement per kind; the rows are locked so that
      // two writers cannot both move one record from the same status.
      const current = new Map<string, string>();
      for (const kind of new Set(changes.map((change) => change.subject.kind))) {
        const { spec } = KINDS.get(kind)!;
        const named = changes
          .filter((change) => change.subject.kind === kind)
          .map((change) => change.subject.externalId);
        const { rows } = await trx.raw(
          `select t.${spec.externalId} as external_id, ${currentStatusSql(spec.table, 't')} as status
            from ${spec.table} t where t.${spec.externalId} = any(?) for share`,
          [named],
        );
        for (const row of rows as { external_id: string; status: string }[])
          current.set(`${spec.table}:${row.external_id}`, row.status);
      }
      for (const [index, change] of changes.entries()) {
        const { spec, transitions } = KINDS.get(change.subject.kind)!;
        const key = `${spec.table}:${change.subject.externalId}`;
        if (!current.has(key))
          throw new RecordError(
            `records[${index}]`,
            `subject names ${spec.table} ${JSON.stringify(change.subject.externalId)}, which is not recorded`,
            'BAD_USER_INPUT',
          );
        const from = already.has(change.externalId) ? String(already.get(change.externalId)) : current.get(key)!;
        if (!already.has(change.externalId)) {
          const allowed = transitions[from] ?? [];
          if (!allowed.includes(change.to)) {
            throw new BadInputError(
              `records[${index}]: ${spec.table} ${change.subject.externalId} is ${from}; ` +
                `it can become ${allowed.length ? allowed.join(' or ') : 'nothing else'}, ` +
                `not ${JSON.stringify(change.to).slice(0, 60)}`,
              'to',
            );
          }
          current.set(key, change.to);
        }
        bundle.events.push({
          source: `records[${index}]`,
          row: {
            external_id: change.externalId,
            log_type: 'TRADE',
            event: 'status_changed',
            event_data: { from, to: change.to, ...(change.reason ? { reason: change.reason } : {}) },
            subject_table: spec.table,
            occurred_at: change.occurredAt,
          },
          links: { subject_id: { table: spec, externalId: change.subject.externalId } },
        });
      }
    },
  );
}

export function recordEvents(em: EntityManager, actor: string, events: AuditEventInput[]): Promise<RecordResult> {
  checkCount(events);
  const rows = events.map((event, index) => {
    checkText(event.externalId, `records[${index}].externalId`);
    checkText(event.event, `records[${index}].event`);
    if (event.event.length > 200)
      throw new BadInputError(`records[${index}].event must be at most 200 characters`, 'event');
    if (event.event === 'status_changed' || event.event === 'records_written' || event.event === 'retention_purge') {
      throw new BadInputError(
        `records[${index}].event ${event.event} is written by auditgraph itself; ` +
          'use recordStatusChange for status changes',
        'event',
      );
    }
    const subject = event.subjectId ? fromGlobalId(event.subjectId, `records[${index}].subjectId`) : null;
    return {
      source: `records[${index}]`,
      row: {
        external_id: event.externalId,
        log_type: event.logType,
        event: event.event,
        event_data: event.data ?? {},
        subject_table: subject ? tableOf(subject.type) : null,
        subject_id: subject?.databaseId ?? null,
        occurred_at: event.occurredAt,
      },
    };
  });
  return record(
    em,
    actor,
    EVENTS,
    events.map((event) => event.externalId),
    async (bundle, trx) => {
      // Subjects named by row id must exist: one lookup per table.
      for (const table of new Set(rows.map(({ row }) => row.subject_table).filter((table) => table !== null))) {
        const named = rows.filter(({ row }) => row.subject_table === table);
        const found = new Set(
          (
            (await trx(table)
              .select('id')
              .whereIn(
                'id',
                named.map(({ row }) => row.subject_id!),
              )) as { id: string }[]
          ).map((row) => String(row.id)),
        );
        const missing = named.find(({ row }) => !found.has(String(row.subject_id)));
        if (missing)
          throw new RecordError(missing.source, 'subjectId names a record that does not exist', 'BAD_USER_INPUT');
      }
      bundle.events = rows;
    },
  );
}
