import type { Knex } from '@mikro-orm/postgresql';
import { DECISIONS, PAYLOADS } from '../record/record-tables';
import { BROKER, type LogBatch, payloadBytes, statusChange, systemEvent } from './log-batch';

type Line = Record<string, unknown>;

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/**
 * The order an error line is about. The log format's `order_error` lines
 * carry the order they failed to place in `order_data` (errors.jsonl in the
 * audit-logs guide); a top-level `order_id` is read first, then
 * `order_data.order_id`, then `order_data.client_order_id` (the bot names an
 * order by the id orders.jsonl records it under).
 */
export function orderIdOfError(line: Line): string | null {
  const data = line.order_data;
  const inData = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Line) : {};
  return nonEmpty(line.order_id) ?? nonEmpty(inData.order_id) ?? nonEmpty(inData.client_order_id);
}

/**
 * Orders recorded already, and whether their request payload is (orders.jsonl
 * records both; the API may record only the decision).
 */
async function recordedOrders(
  trx: Knex.Transaction,
  orderIds: string[],
): Promise<Map<string, { hasRequest: boolean }>> {
  const { rows } = (await trx.raw(
    `select d.decision_id,
            exists (select 1 from api_payloads p where p.external_id = d.decision_id || ':request') as has_request
       from trade_decisions d where d.decision_id = any(?)`,
    [orderIds],
  )) as { rows: { decision_id: string; has_request: boolean }[] };
  return new Map(rows.map((row) => [row.decision_id, { hasRequest: row.has_request }]));
}

/**
 * Turns the batch's error lines into records: an error about a recorded
 * order is that order's rejected execution (the line as the broker's
 * response), and the order's move to failed; any other error is kept as a
 * SYSTEM event, and listed in `batch.unlinked` (in line order) so the import names it.
 */
export async function settleOrderErrors(trx: Knex.Transaction, batch: LogBatch): Promise<void> {
  const { bundle, orderErrors, unlinked } = batch;
  if (orderErrors.length === 0) return;
  const recorded = await recordedOrders(trx, [...new Set(orderErrors.flatMap((error) => error.orderId ?? []))]);
  for (const decision of bundle.decisions) {
    const orderId = String(decision.row.decision_id);
    if (!recorded.has(orderId))
      recorded.set(orderId, {
        hasRequest: bundle.payloads.some((payload) => payload.row.external_id === `${orderId}:request`),
      });
  }
  for (const { source, orderId, at, stamp, message, line } of orderErrors) {
    const order = orderId === null ? undefined : recorded.get(orderId);
    if (orderId === null || !order) {
      bundle.events.push(systemEvent(line, String(line.event_type), at, stamp, source));
      unlinked.push(
        `${source}: ` +
          (orderId === null
            ? 'names no order (no order_id, at the top level or in order_data)'
            : `names order ${JSON.stringify(orderId)}, which is not recorded`),
      );
      continue;
    }
    const errorId = `${orderId}@${stamp}:error`;
    bundle.payloads.push({
      source,
      row: {
        external_id: `${errorId}:response`,
        direction: 'response',
        provider: BROKER,
        endpoint: '/orders',
        http_method: 'POST',
        payload: line,
        payload_bytes: payloadBytes(line),
        correlation_id: orderId,
        created_at: at,
      },
    });
    bundle.executions.push({
      source,
      row: {
        execution_id: errorId,
        broker_order_id: orderId,
        status: 'rejected',
        filled_quantity: 0,
        error_message: message,
        submitted_at: at,
        created_at: at,
      },
      links: {
        trade_decision_id: { table: DECISIONS, externalId: orderId },
        api_response_payload_id: { table: PAYLOADS, externalId: `${errorId}:response` },
        ...(order.hasRequest ? { api_request_payload_id: { table: PAYLOADS, externalId: `${orderId}:request` } } : {}),
      },
    });
    bundle.events.push(statusChange(orderId, 'failed', at, source));
  }
}
