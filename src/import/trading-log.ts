import { BROKER, type LogBatch, payloadBytes, statusChange } from './log-batch';
import { toUnits } from './fixed-decimal';
import { orderIdOfError } from './order-errors';
import { type ExactNumber, parseExternalJson } from '../json/exact-json';
import { isLosslessNumber } from 'lossless-json';
import { type Instant, InstantError, parseDateTime } from '../time/instant';
import { valueHoldsUnstorableText } from '../base/unstorable-text';

/** A line that cannot be imported, with what is wrong in words. */
export class LineError extends Error {}

type Line = Record<string, unknown>;

const ACCOUNT = 'trading-bot';

/** numeric(20,8) holds 12 integer digits: 10^12 in 10^-8 units. */
const MAX_UNITS = 10n ** 20n;

function text(line: Line, field: string, required = true): string | null {
  const value = line[field];
  if (value === undefined || value === null) {
    if (required) throw new LineError(`"${field}" is missing`);
    return null;
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > 500 || value.includes('\u0000')) {
    throw new LineError(
      `"${field}" must be a non-empty string of at most 500 characters; got ${JSON.stringify(value).slice(0, 80)}`,
    );
  }
  return value;
}

/**
 * A number field, kept exactly (its digits, when a double would round them):
 * it goes to a numeric column as written.
 */
function number(
  line: Line,
  field: string,
  check: 'positive' | 'any' | 'not negative',
  required = true,
): ExactNumber | null {
  const value = line[field];
  if (value === undefined || value === null) {
    if (required) throw new LineError(`"${field}" is missing`);
    return null;
  }
  // Range and sign are checked on the value as the numeric(20,8) column will hold it
  // (rounded to 8 decimals), never on a double near it.
  const finite = typeof value === 'number' ? Number.isFinite(value) : isLosslessNumber(value);
  const units = finite ? toUnits((value as ExactNumber).toString()) : 0n;
  const ok =
    finite &&
    (units < 0n ? -units : units) < MAX_UNITS &&
    (check === 'any' || (check === 'positive' ? units > 0n : units >= 0n));
  if (!ok)
    throw new LineError(
      `"${field}" must be a ${check === 'any' ? '' : `${check} `}number; ` +
        `got ${(isLosslessNumber(value) ? value.toString() : JSON.stringify(value)).slice(0, 80)}`,
    );
  return value as ExactNumber;
}

/**
 * A timestamp as the gateway takes one (RFC 3339 with an offset, at most 6
 * fractional digits, a day that exists, within the supported range), as the
 * UTC Instant the columns get: PostgreSQL itself reads offsets only to
 * ±15:59, and must never store what reads back out of range.
 */
function instant(line: Line, field: string): Instant {
  const value = text(line, field)!;
  try {
    return parseDateTime(value);
  } catch (error) {
    if (!(error instanceof InstantError)) throw error;
    throw new LineError(
      `"${field}" must be an ISO 8601 timestamp with a time zone, e.g. 2025-11-18T14:30:00.123456+00:00: ` +
        `${JSON.stringify(value).slice(0, 80)} ${error.message}`,
    );
  }
}

/**
 * The line's own spelling of its timestamp (checked by instant()), of which
 * external ids are made: a file imported again names the same records.
 */
const stampOf = (line: Line) => line.timestamp as string;

function side(line: Line): 'buy' | 'sell' {
  const value = text(line, 'side')!.toLowerCase();
  if (value !== 'buy' && value !== 'sell')
    throw new LineError(`"side" must be buy or sell; got ${JSON.stringify(line.side)}`);
  return value;
}

/** orders.jsonl: a decision (pending until a trade fills it) and the broker request that carried it. */
function orderSubmitted(line: Line, source: string, { bundle }: LogBatch) {
  const orderId = text(line, 'order_id')!;
  const at = instant(line, 'timestamp');
  const orderType = text(line, 'order_type', false) ?? 'market';
  const price = number(line, 'price', 'positive', false);
  bundle.decisions.push({
    source,
    row: {
      decision_id: orderId,
      strategy: text(line, 'model', false) ?? 'unknown',
      symbol: text(line, 'symbol')!.toUpperCase(),
      side: side(line),
      quantity: number(line, 'quantity', 'positive'),
      order_type: orderType,
      limit_price: orderType === 'market' ? null : price,
      status: 'pending',
      decision_rationale: {
        model: line.model ?? null,
        nav: line.nav ?? null,
        price,
        broker_status: line.status ?? null,
      },
      correlation_id: orderId,
      created_at: at,
    },
  });
  bundle.payloads.push({
    source,
    row: {
      external_id: `${orderId}:request`,
      direction: 'request',
      provider: BROKER,
      endpoint: '/orders',
      http_method: 'POST',
      payload: line,
      payload_bytes: payloadBytes(line),
      correlation_id: orderId,
      created_at: at,
    },
  });
}

/**
 * trades.jsonl: the broker's report of a fill, the decision marked executed,
 * and the fill itself, which becomes an execution of the account's open
 * position in the symbol once the batch is settled (see settleFills). The
 * log names one account; a line may name another in `account`.
 */
function tradeExecuted(line: Line, source: string, batch: LogBatch) {
  const orderId = text(line, 'order_id')!;
  const at = instant(line, 'timestamp');
  const symbol = text(line, 'symbol')!.toUpperCase();
  const quantity = number(line, 'quantity', 'positive')!;
  const fillId = `${orderId}@${stampOf(line)}`;
  batch.bundle.payloads.push({
    source,
    row: {
      external_id: `${fillId}:response`,
      direction: 'response',
      provider: BROKER,
      endpoint: '/orders',
      http_method: 'POST',
      http_status: 200,
      payload: line,
      payload_bytes: payloadBytes(line),
      correlation_id: orderId,
      created_at: at,
    },
  });
  const units = toUnits(quantity.toString());
  batch.fills.push({
    source,
    fillId,
    orderId,
    account: text(line, 'account', false) ?? ACCOUNT,
    symbol,
    at,
    units: side(line) === 'sell' ? -units : units,
    price: number(line, 'price', 'positive')!,
    newPosition: number(line, 'new_position', 'any')!,
  });
  batch.bundle.events.push(statusChange(orderId, 'executed', at, source));
}

/** performance.jsonl: a NAV snapshot of the book after a cycle. */
function cycleComplete(line: Line, source: string, { bundle }: LogBatch) {
  const at = instant(line, 'timestamp');
  number(line, 'nav', 'not negative');
  if (
    line.positions !== undefined &&
    (typeof line.positions !== 'object' || line.positions === null || Array.isArray(line.positions))
  ) {
    throw new LineError('"positions" must be an object of symbol → quantity');
  }
  bundle.events.push({
    source,
    row: {
      external_id: `cycle:${stampOf(line)}`,
      log_type: 'NAV',
      event: 'position_snapshot',
      event_data: line,
      occurred_at: at,
    },
  });
}

/**
 * errors.jsonl: an error about an order (named at the top level or in
 * `order_data`) is linked to it once the batch is settled (see
 * settleOrderErrors); one naming no recorded order is kept as a SYSTEM event
 * and named in the import's summary, never dropped.
 */
function errorLine(line: Line, source: string, batch: LogBatch) {
  const at = instant(line, 'timestamp');
  batch.orderErrors.push({
    source,
    orderId: orderIdOfError(line),
    at,
    stamp: stampOf(line),
    message: text(line, 'error')!,
    line,
  });
}

const HANDLERS: Record<string, (line: Line, source: string, batch: LogBatch) => void> = {
  order_submitted: orderSubmitted,
  trade_executed: tradeExecuted,
  cycle_complete: cycleComplete,
};

/** Parses and validates one line, adding its records to the batch; throws LineError saying what is wrong. */
export function importLine(raw: string, source: string, batch: LogBatch): void {
  let line: unknown;
  try {
    line = parseExternalJson(raw);
  } catch (error) {
    throw new LineError(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof line !== 'object' || line === null || Array.isArray(line)) throw new LineError('must be a JSON object');
  if (valueHoldsUnstorableText(line))
    throw new LineError(
      'holds a character PostgreSQL cannot store: NUL (\\u0000) or a lone UTF-16 surrogate (e.g. \\ud800)',
    );
  const eventType = text(line as Line, 'event_type')!;
  const handler =
    HANDLERS[eventType] ?? (eventType.endsWith('_error') || eventType === 'error' ? errorLine : undefined);
  if (!handler) {
    throw new LineError(
      `unknown event_type ${JSON.stringify(eventType).slice(0, 80)}: ` +
        'expected order_submitted, trade_executed, cycle_complete or an error (*_error)',
    );
  }
  handler(line as Line, source, batch);
}
