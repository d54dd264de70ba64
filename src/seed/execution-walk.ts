import { accountFor, type Decision } from './decision-draft';
import { type ExecutionStatus, orderRequestBody, orderResponseBody } from './broker-orders';
import { formatUnits } from './fixed-point';
import type { OpenPosition } from './position-book';
import { DELISTED_SYMBOLS, REJECTIONS, REJECTION_WEIGHTS } from './vocabulary';
import { bytes, json, type WalkState, ymd } from './walk-state';
import { emitStatusChange } from './status-events';

/**
 * One execution of a decision: its fill booked in the position book (which may
 * cut it to a partial fill, or open a position), the order request and response
 * payloads (one link now and then planted missing), the position a fill opened,
 * the execution row as submitted and its move to its outcome when the broker
 * answered (filled when it filled), and its fill in the ledger. Returns when that was.
 */
export async function walkExecution(
  walk: WalkState,
  decision: Decision,
  atMs: number,
  plannedStatus: ExecutionStatus,
): Promise<number> {
  const { random, book, ledger, next, planted, emit, sink } = walk;
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
  const fillPriceUnits = filledUnits > 0 ? Math.round(decision.priceUnits * (0.998 + random.float() * 0.004)) : null;
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
    emitPosition(booked.position, decision.side === 'buy' ? filledUnits : -filledUnits, fillPriceUnits!, filledMs!)
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
      status: 'submitted',
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
  if (filledUnits > 0)
    ledger.add({
      atMs: filledMs!,
      executionId,
      symbol: decision.symbol,
      signedUnits: decision.side === 'buy' ? filledUnits : -filledUnits,
      priceUnits: fillPriceUnits!,
      commissionUnits: commissionUnits!,
    });
  const outcomeMs = filledMs ?? submittedMs + latency;
  await emitStatusChange(walk, {
    table: 'trade_executions',
    id: executionId,
    from: 'submitted',
    to: executionStatus,
    atMs: outcomeMs,
  });
  return outcomeMs;
}
