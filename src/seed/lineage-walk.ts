import type { CopyValue } from './copy-text';
import { formatUnits, unitsToJsonNumberString } from './fixed-point';
import { fetchError, fetchedRecord } from './payload-bodies';
import { type OpenPosition, PositionBook } from './position-book';
import { Random } from './random';
import { accountFor, type Decision, type FetchedPayload, makeDecision, rationaleFor } from './decision-draft';
import {
  DELISTED_SYMBOLS,
  FETCH_TASKS,
  FETCH_TASK_WEIGHTS,
  REJECTIONS,
  REJECTION_WEIGHTS,
  SYMBOL_PRICES,
  SYMBOL_WEIGHTS,
  SYMBOLS,
} from './vocabulary';

/** Tables in foreign-key order: each is loaded after everything it references. */
export const TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'positions',
  'trade_decisions',
  'decision_inputs',
  'trade_executions',
] as const;
export type Table = (typeof TABLES)[number];

/** A row by column name; a sink lays it out in its table's column order. */
export type SeedRow = Readonly<Record<string, CopyValue>>;

/** Receives the rows of one table; `add` answers true when it wants a `flush` (backpressure). */
export interface RowSink {
  readonly table: Table;
  add(row: SeedRow): boolean;
  flush(): Promise<void>;
}

export type PlantedDefects = {
  decisionsWithoutRationale: number;
  executionsMissingPayloadLink: number;
  decisionsWithTwoExecutions: number;
  pendingDecisionsStuck: number;
};
export type WalkCounts = { rows: Record<Table, number>; planted: PlantedDefects };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPAN = 90 * DAY;
const json = (body: unknown) => JSON.stringify(body);
const bytes = (body: unknown) => Buffer.byteLength(json(body));
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

type ExecutionStatus = 'filled' | 'partially_filled' | 'rejected' | 'cancelled';

/**
 * Walks the whole generated lineage in a fixed order, drawing every random
 * number whatever `sink.table` is, so each pass over the same seed makes the
 * same rows; only rows of `sink.table` are formatted and written. Loading one
 * table per pass lets each COPY finish before the tables that reference it.
 */
export async function walkLineage(
  options: { decisions: number; seed: number; anchorMs: number },
  sink: RowSink,
): Promise<WalkCounts> {
  const random = new Random(options.seed);
  const { anchorMs } = options;
  const total = options.decisions;
  const book = new PositionBook();
  const rows = Object.fromEntries(TABLES.map((table) => [table, 0])) as Record<Table, number>;
  const planted: PlantedDefects = {
    decisionsWithoutRationale: 0,
    executionsMissingPayloadLink: 0,
    decisionsWithTwoExecutions: 0,
    pendingDecisionsStuck: 0,
  };
  const next = { run: 0, payload: 0, decision: 0, execution: 0 };

  /** Counts a row, and formats and hands it over only when its table is being loaded. */
  const emit = (table: Table, build: () => SeedRow): boolean => {
    rows[table] += 1;
    return table === sink.table && sink.add(build());
  };
  /** A position row records its lot's opening state (see position.entity.ts): the opening fill's quantity and price. */
  const emitPosition = (position: OpenPosition, openingUnits: number, priceUnits: number, openedAtMs: number) =>
    emit('positions', () => ({
      id: position.id,
      account: position.account,
      symbol: position.symbol,
      quantity: formatUnits(openingUnits),
      avg_cost: formatUnits(priceUnits),
      status: 'open',
      opened_at: new Date(openedAtMs),
      closed_at: null,
      external_id: null,
    }));

  let made = 0;
  while (made < total) {
    const task = random.weighted(FETCH_TASKS, FETCH_TASK_WEIGHTS);
    const runStartMs = anchorMs - SPAN + Math.floor((made / total) * SPAN) + random.int(0, 10 * MINUTE);
    const runId = ++next.run;
    const taskSuffix = task.taskName.slice('data_fetch:'.length);
    const externalRunId = `${taskSuffix}-${ymd(runStartMs)}-${runId.toString(36).padStart(6, '0')}`;
    const failedStatus = random.chance(0.04) ? random.pick([401, 429, 500, 503]) : null;
    const fetched: FetchedPayload[] = [];
    let clockMs = runStartMs;

    const recordCount = failedStatus === null ? random.int(6, 18) : 0;
    for (let index = 0; index < recordCount; index++) {
      const symbol = random.weighted(SYMBOLS, SYMBOL_WEIGHTS);
      const price = SYMBOL_PRICES.get(symbol)! * (0.9 + random.float() * 0.2);
      const body = fetchedRecord(random, task, symbol, price, runStartMs);
      const latency = random.int(80, 900);
      clockMs += latency;
      const payload = { id: ++next.payload, symbol, price };
      fetched.push(payload);
      const at = clockMs;
      if (
        emit('api_payloads', () => ({
          id: payload.id,
          ingestion_run_id: runId,
          direction: 'response',
          provider: task.source,
          endpoint: task.endpoint,
          http_method: 'GET',
          http_status: 200,
          latency_ms: latency,
          payload: json(body),
          payload_bytes: bytes(body),
          correlation_id: externalRunId,
          created_at: new Date(at),
          external_id: null,
        }))
      )
        await sink.flush();
    }
    if (failedStatus !== null) {
      const body = fetchError(failedStatus);
      const latency = random.int(50, 30_000);
      clockMs += latency;
      const id = ++next.payload;
      const at = clockMs;
      if (
        emit('api_payloads', () => ({
          id: id,
          ingestion_run_id: runId,
          direction: 'response',
          provider: task.source,
          endpoint: task.endpoint,
          http_method: 'GET',
          http_status: failedStatus,
          latency_ms: latency,
          payload: json(body),
          payload_bytes: bytes(body),
          correlation_id: externalRunId,
          created_at: new Date(at),
          external_id: null,
        }))
      )
        await sink.flush();
    }
    const metadata = {
      host: task.host,
      endpoint: task.endpoint,
      page_size: 100,
      trigger: random.chance(0.95) ? 'cron' : 'manual',
      worker: `ingest-${random.int(1, 4)}`,
    };
    const finishedMs = clockMs + random.int(100, 2000);
    const errorMessage =
      failedStatus === null
        ? null
        : `HTTP ${failedStatus} from ${task.source} ${task.endpoint}: ${String(fetchError(failedStatus).error)}`;
    if (
      emit('data_ingestion_runs', () => ({
        id: runId,
        run_id: externalRunId,
        task_name: task.taskName,
        source: task.source,
        status: failedStatus === null ? 'succeeded' : 'failed',
        records_fetched: recordCount,
        error_message: errorMessage,
        metadata: metadata,
        started_at: new Date(runStartMs),
        finished_at: new Date(finishedMs),
        created_at: new Date(runStartMs),
      }))
    )
      await sink.flush();
    if (fetched.length === 0) continue;

    const decisionCount = Math.min(total - made, random.int(10, 30));
    for (let index = 0; index < decisionCount; index++, made++) {
      const atMs = Math.min(finishedMs + random.int(2 * MINUTE, 90 * MINUTE), anchorMs - 1000);
      const inputCount = Math.min(fetched.length, random.int(1, 3));
      const first = random.int(0, fetched.length - 1);
      const inputs = Array.from({ length: inputCount }, (_, offset) => fetched[(first + offset) % fetched.length]!);
      const decision = makeDecision(random, task, inputs[0]!, atMs, ++next.decision);

      let status: 'pending' | 'executed' | 'failed' | 'cancelled';
      if (atMs > anchorMs - HOUR) status = 'pending';
      // Stuck for over a week by the anchor: what the quarterly audit's "pending older than a week" finds.
      else if (atMs < anchorMs - 8 * DAY && atMs > anchorMs - 10 * DAY && random.chance(0.2)) {
        status = 'pending';
        planted.pendingDecisionsStuck += 1;
      } else {
        const roll = random.float();
        status = roll < 0.8 ? 'executed' : roll < 0.95 ? 'failed' : 'cancelled';
      }
      let rationale: Record<string, unknown> | null = rationaleFor(random, decision, inputs);
      if (status !== 'pending' && random.chance(0.006)) {
        rationale = null;
        planted.decisionsWithoutRationale += 1;
      }
      const decisionRow = () => ({
        id: decision.id,
        decision_id: decision.externalId,
        strategy: decision.strategy,
        symbol: decision.symbol,
        side: decision.side,
        quantity: formatUnits(decision.quantityUnits),
        order_type: decision.orderType,
        limit_price: decision.limitUnits === null ? null : formatUnits(decision.limitUnits),
        status: status,
        decision_rationale: rationale,
        correlation_id: decision.correlationId,
        created_at: new Date(atMs),
      });
      if (emit('trade_decisions', decisionRow)) await sink.flush();
      for (const input of inputs)
        if (emit('decision_inputs', () => ({ trade_decision_id: decision.id, api_payload_id: input.id })))
          await sink.flush();

      const executionStatuses: ExecutionStatus[] =
        status === 'executed'
          ? [random.chance(0.92) ? 'filled' : 'partially_filled']
          : status === 'failed'
            ? ['rejected']
            : status === 'cancelled' && random.chance(0.5)
              ? ['cancelled']
              : [];
      if (status === 'executed' && random.chance(0.005)) {
        // A retried submission that the broker also filled: the duplicate the integrity audit hunts.
        executionStatuses.push('filled');
        planted.decisionsWithTwoExecutions += 1;
      }
      for (const plannedStatus of executionStatuses) {
        let executionStatus = plannedStatus;
        const executionId = ++next.execution;
        const submittedMs = atMs + random.int(1000, 30_000);
        const rejection = executionStatus === 'rejected' ? random.weighted(REJECTIONS, REJECTION_WEIGHTS) : null;
        const symbol = rejection?.reason === 'invalid symbol' ? random.pick(DELISTED_SYMBOLS) : decision.symbol;
        const orderedUnits =
          executionStatus === 'filled'
            ? decision.quantityUnits
            : executionStatus === 'partially_filled'
              ? Math.max(1, Math.floor(decision.quantityUnits * (0.4 + random.float() * 0.5)))
              : 0;
        // The book fills no further than a position's close (a seed position never crosses zero).
        const booked =
          orderedUnits > 0
            ? book.fill(
                accountFor(random, decision.strategy),
                decision.symbol,
                decision.side === 'buy' ? orderedUnits : -orderedUnits,
              )
            : null;
        const filledUnits = booked?.filledUnits ?? 0;
        if (booked && filledUnits < orderedUnits) executionStatus = 'partially_filled';
        const fillPriceUnits =
          filledUnits > 0 ? Math.round(decision.priceUnits * (0.998 + random.float() * 0.004)) : null;
        const commissionUnits = filledUnits > 0 ? random.int(0, 150) * 100 : null;
        const filledMs = filledUnits > 0 ? submittedMs + random.int(200, 5000) : null;
        const brokerOrderId = rejection ? null : random.uuid();
        const latency = random.int(40, 1200);

        const requestBody = orderRequestBody(decision, symbol);
        const responseStatus = rejection ? rejection.httpStatus : 200;
        const responseBody = rejection
          ? { code: rejection.code, message: rejection.message(symbol) }
          : orderResponseBody({
              decision,
              symbol,
              executionStatus,
              brokerOrderId,
              filledUnits,
              fillPriceUnits,
              submittedMs,
              filledMs,
            });
        // A broken payload link: the execution row lacks it and the body was never stored.
        const missing = random.chance(0.006) ? random.pick(['request', 'response'] as const) : null;
        if (missing) planted.executionsMissingPayloadLink += 1;
        const requestId = missing === 'request' ? null : ++next.payload;
        const responseId = missing === 'response' ? null : ++next.payload;
        if (
          requestId !== null &&
          emit('api_payloads', () => ({
            id: requestId,
            ingestion_run_id: null,
            direction: 'request',
            provider: 'alpaca',
            endpoint: '/v2/orders',
            http_method: 'POST',
            http_status: null,
            latency_ms: null,
            payload: json(requestBody),
            payload_bytes: bytes(requestBody),
            correlation_id: decision.correlationId,
            created_at: new Date(submittedMs),
            external_id: null,
          }))
        )
          await sink.flush();
        if (
          responseId !== null &&
          emit('api_payloads', () => ({
            id: responseId,
            ingestion_run_id: null,
            direction: 'response',
            provider: 'alpaca',
            endpoint: '/v2/orders',
            http_method: 'POST',
            http_status: responseStatus,
            latency_ms: latency,
            payload: json(responseBody),
            payload_bytes: bytes(responseBody),
            correlation_id: decision.correlationId,
            created_at: new Date(submittedMs + latency),
            external_id: null,
          }))
        )
          await sink.flush();

        if (
          booked?.opened &&
          emitPosition(
            booked.position,
            decision.side === 'buy' ? filledUnits : -filledUnits,
            fillPriceUnits!,
            filledMs!,
          )
        )
          await sink.flush();
        const errorMessage = rejection ? rejection.message(symbol) : null;
        const positionId = booked?.position.id ?? null;
        if (
          emit('trade_executions', () => ({
            id: executionId,
            execution_id: `exe_${ymd(submittedMs)}_${executionId.toString(36)}`,
            trade_decision_id: decision.id,
            position_id: positionId,
            broker_order_id: brokerOrderId,
            status: executionStatus,
            filled_quantity: formatUnits(filledUnits),
            fill_price: fillPriceUnits === null ? null : formatUnits(fillPriceUnits),
            commission: commissionUnits === null ? null : formatUnits(commissionUnits),
            error_message: errorMessage,
            api_request_payload_id: requestId,
            api_response_payload_id: responseId,
            submitted_at: new Date(submittedMs),
            filled_at: filledMs === null ? null : new Date(filledMs),
            created_at: new Date(submittedMs),
          }))
        )
          await sink.flush();
      }
    }
  }
  return { rows, planted };
}

function orderRequestBody(decision: Decision, symbol: string): Record<string, unknown> {
  return {
    client_order_id: decision.externalId,
    symbol,
    qty: unitsToJsonNumberString(decision.quantityUnits),
    side: decision.side,
    type: decision.orderType,
    time_in_force: 'day',
    ...(decision.limitUnits === null ? {} : { limit_price: unitsToJsonNumberString(decision.limitUnits) }),
  };
}

/** An accepted order as the broker reports it. */
function orderResponseBody(order: {
  decision: Decision;
  symbol: string;
  executionStatus: ExecutionStatus;
  brokerOrderId: string | null;
  filledUnits: number;
  fillPriceUnits: number | null;
  submittedMs: number;
  filledMs: number | null;
}): Record<string, unknown> {
  const { decision } = order;
  return {
    id: order.brokerOrderId,
    client_order_id: decision.externalId,
    status: order.executionStatus === 'cancelled' ? 'canceled' : order.executionStatus,
    symbol: order.symbol,
    qty: unitsToJsonNumberString(decision.quantityUnits),
    filled_qty: unitsToJsonNumberString(order.filledUnits),
    side: decision.side,
    filled_avg_price: order.fillPriceUnits === null ? null : unitsToJsonNumberString(order.fillPriceUnits),
    submitted_at: new Date(order.submittedMs).toISOString(),
    filled_at: order.filledMs === null ? null : new Date(order.filledMs).toISOString(),
  };
}
