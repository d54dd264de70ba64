import type { Knex } from '@mikro-orm/postgresql';
import { DECISIONS, PAYLOADS, POSITIONS } from '../record/record-tables';
import { RecordError } from '../record/record-writer';
import { SIGNED_FILL_SQL } from '../sql/position-lot';
import { fromUnits, toUnits } from './fixed-decimal';
import type { LogBatch, TradeFill } from './log-batch';
import { compareInstants } from '../time/instant';

/** The open lot of one account and symbol: the position's external id and its quantity so far. */
type OpenLot = { externalId: string; units: bigint };
type Book = { lots: Map<string, OpenLot | null>; lastFillAt: Map<string, string> };

const keyOf = (fill: { account: string; symbol: string }) => `${fill.account}\u0000${fill.symbol}`;
const sign = (units: bigint) => (units > 0n ? 1 : units < 0n ? -1 : 0);

/** The positions of an import, one open lot per account and symbol, carried from batch to batch. */
export const emptyBook = (): Book => ({ lots: new Map(), lastFillAt: new Map() });

/**
 * Each key's open lot as recorded before `at` (its first fill in this file):
 * the latest position opened before then, and the fills it had by then. Read
 * "as of" the file's own first fill, so importing a file again finds the
 * book as it was, and gives every fill the position it was given the first time.
 */
async function recordedLots(trx: Knex.Transaction, wanted: TradeFill[]): Promise<Map<string, OpenLot | null>> {
  const { rows } = (await trx.raw(
    `select k.account, k.symbol, lot.external_id, lot.quantity::text as quantity
       from unnest(?::text[], ?::text[], ?::timestamptz[]) as k(account, symbol, at)
       cross join lateral (
         select p.external_id, (select coalesce(sum(${SIGNED_FILL_SQL}), 0)
                                  from trade_executions e left join trade_decisions d on d.id = e.trade_decision_id
                                 where e.position_id = p.id and e.filled_at < k.at) as quantity
           from positions p
          where p.account = k.account and p.symbol = k.symbol and p.opened_at < k.at and p.external_id is not null
          order by p.opened_at desc, p.id desc limit 1) lot`,
    [wanted.map((fill) => fill.account), wanted.map((fill) => fill.symbol), wanted.map((fill) => fill.at)],
  )) as { rows: { account: string; symbol: string; external_id: string; quantity: string }[] };
  const lots = new Map<string, OpenLot | null>(wanted.map((fill) => [keyOf(fill), null]));
  for (const row of rows) {
    const units = toUnits(row.quantity);
    lots.set(keyOf(row), units === 0n ? null : { externalId: row.external_id, units });
  }
  return lots;
}

/**
 * Gives the batch's fills their positions, in file order: a fill with no
 * open lot opens a position; one on the lot's side adds to it, one against
 * it reduces it, and the one that brings it to zero closes it. A fill
 * through zero is split into two executions of the same order and broker
 * report: `<fill>` closes the lot with its quantity, `<fill>:opening` opens
 * the next with the rest. Quantities are exact (fixed-decimal.ts).
 */
export async function settleFills(trx: Knex.Transaction, batch: LogBatch, book: Book): Promise<void> {
  const firstSeen = new Map<string, TradeFill>();
  for (const fill of batch.fills)
    if (!book.lots.has(keyOf(fill)) && !firstSeen.has(keyOf(fill))) firstSeen.set(keyOf(fill), fill);
  if (firstSeen.size > 0)
    for (const [key, lot] of await recordedLots(trx, [...firstSeen.values()])) book.lots.set(key, lot);
  for (const fill of batch.fills) {
    const key = keyOf(fill);
    const last = book.lastFillAt.get(key);
    // A lot is a fold over its fills in time order; the derivation reads them in that order too.
    // To the microsecond: a Date would call .1234 and .1236 equal.
    if (last !== undefined && compareInstants(fill.at, last) < 0) {
      throw new RecordError(
        fill.source,
        `fills of ${fill.symbol} for ${fill.account} must be in time order: this one (${fill.at}) is before ${last}`,
        'BAD_USER_INPUT',
      );
    }
    book.lastFillAt.set(key, fill.at);
    const lot = book.lots.get(key) ?? null;
    if (!lot) {
      book.lots.set(key, openLot(batch, fill, fill.fillId, fill.units));
    } else if (sign(lot.units + fill.units) === -sign(lot.units)) {
      addExecution(batch, fill, fill.fillId, -lot.units, lot.externalId);
      book.lots.set(key, openLot(batch, fill, `${fill.fillId}:opening`, lot.units + fill.units));
    } else {
      addExecution(batch, fill, fill.fillId, fill.units, lot.externalId);
      lot.units += fill.units;
      if (lot.units === 0n) book.lots.set(key, null);
    }
  }
}

/** A new position, opened by (a leg of) `fill`, as the log stated it: its opening state is what the row records. */
function openLot(batch: LogBatch, fill: TradeFill, executionId: string, units: bigint): OpenLot {
  const externalId = `${fill.fillId}:position`;
  batch.bundle.positions.push({
    source: fill.source,
    row: {
      external_id: externalId,
      account: fill.account,
      symbol: fill.symbol,
      quantity: fill.newPosition,
      avg_cost: fill.price,
      status: 'open',
      opened_at: fill.at,
      closed_at: null,
    },
  });
  addExecution(batch, fill, executionId, units, externalId);
  return { externalId, units };
}

function addExecution(
  batch: LogBatch,
  fill: TradeFill,
  executionId: string,
  units: bigint,
  positionExternalId: string,
) {
  batch.bundle.executions.push({
    source: fill.source,
    row: {
      execution_id: executionId,
      broker_order_id: fill.orderId,
      status: 'filled',
      filled_quantity: fromUnits(units < 0n ? -units : units),
      fill_price: fill.price,
      submitted_at: fill.at,
      filled_at: fill.at,
      created_at: fill.at,
    },
    links: {
      trade_decision_id: { table: DECISIONS, externalId: fill.orderId },
      position_id: { table: POSITIONS, externalId: positionExternalId },
      api_request_payload_id: { table: PAYLOADS, externalId: `${fill.orderId}:request` },
      api_response_payload_id: { table: PAYLOADS, externalId: `${fill.fillId}:response` },
    },
  });
}
