import type { Decision } from './decision-draft';
import { unitsToJsonNumberString } from './fixed-point';

// The bodies of the order calls each execution makes to the broker, as its API shapes them.

export type ExecutionStatus = 'filled' | 'partially_filled' | 'rejected' | 'cancelled';

export function orderRequestBody(decision: Decision, symbol: string): Record<string, unknown> {
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
export function orderResponseBody(order: {
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
