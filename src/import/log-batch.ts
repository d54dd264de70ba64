import { DECISIONS } from '../record/record-tables';
import { emptyBundle, type PendingRecord, type RecordBundle } from '../record/record-writer';
import { type ExactNumber, stringifyExactJson } from '../json/exact-json';
import type { Instant } from '../time/instant';

/** The broker, as the provider of order payloads. */
export const BROKER = 'broker';

/** An error line and the order it names, linked (or not) once the batch knows which orders are recorded. */
export type OrderErrorLine = {
  source: string;
  orderId: string | null;
  at: string;
  stamp: string;
  message: string;
  line: Record<string, unknown>;
};

/** A fill of trades.jsonl, given to a position once the batch knows the positions already open (see settleFills). */
export type TradeFill = {
  source: string;
  fillId: string;
  orderId: string;
  account: string;
  symbol: string;
  /** The fill's time, as a UTC Instant (compared to the microsecond). */
  at: Instant;
  /** Signed by side, in 10^-8 units. */
  units: bigint;
  price: ExactNumber;
  /** The position the log says the fill left (`new_position`): recorded as a new position's opening quantity. */
  newPosition: ExactNumber;
};

/**
 * One batch of a trading log: the records its lines map to on their own,
 * and the lines whose records depend on what is already recorded (see
 * settleOrderErrors), settled just before the batch is written.
 */
export type LogBatch = {
  bundle: RecordBundle;
  orderErrors: OrderErrorLine[];
  fills: TradeFill[];
  /** Lines kept but linked to nothing, as `file:line: why`: the import's summary names them. */
  unlinked: string[];
};

export const emptyLogBatch = (): LogBatch => ({ bundle: emptyBundle(), orderErrors: [], fills: [], unlinked: [] });

export const payloadBytes = (body: unknown) => Buffer.byteLength(stringifyExactJson(body));

/** The appended event that moves a decision from pending to `to` (records never change; see current-status.ts). */
export function statusChange(orderId: string, to: string, at: string, source: string): PendingRecord {
  return {
    source,
    row: {
      external_id: `${orderId}:${to}`,
      log_type: 'TRADE',
      event: 'status_changed',
      event_data: { from: 'pending', to },
      subject_table: 'trade_decisions',
      occurred_at: at,
    },
    links: { subject_id: { table: DECISIONS, externalId: orderId } },
  };
}

/** A log line kept as an unlinked SYSTEM event. */
export function systemEvent(
  line: Record<string, unknown>,
  eventType: string,
  at: string,
  stamp: string,
  source: string,
): PendingRecord {
  return {
    source,
    row: {
      external_id: `error:${stamp}:${eventType}`,
      log_type: 'SYSTEM',
      event: eventType,
      event_data: line,
      occurred_at: at,
    },
  };
}
