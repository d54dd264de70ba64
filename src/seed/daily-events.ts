import { exactDecimal, emitEvent } from './event-rows';
import { type BookAtClose, NAV_CUTOFF_MS } from './fill-ledger';
import { formatCents, productToCents, unitsToJsonNumberString } from './fixed-point';
import { DAY, HOUR, MINUTE, type WalkState } from './walk-state';

/**
 * The firm's cash before its first generated fill, in dollars per generated
 * decision: the strategies buy more than they sell, and this keeps the cash
 * above zero over the generated span at every scale.
 */
export const CAPITAL_PER_DECISION = 12_000n;
const UNITS_PER_DOLLAR = 100_000_000n;
/**
 * The day's loss, in ten-thousandths of the previous NAV, past which the risk
 * engine trips its circuit breaker: 1%, which the generated book passes on a
 * few days in a hundred.
 */
const DAILY_LOSS_LIMIT_BP = -100n;
/** When the administrator verifies the day's NAV, and when the CCO certifies the day's logs. */
const VERIFIED_AFTER_MS = 2 * HOUR + 15 * MINUTE;
const CERTIFIED_AT_MS = 23 * HOUR + 45 * MINUTE;

/** Monday to Friday, the UTC midnights of [fromMs, toMs) whose whole day ends by `toMs`. */
export function tradingDays(fromMs: number, toMs: number): number[] {
  const days: number[] = [];
  for (let dayMs = Math.ceil(fromMs / DAY) * DAY; dayMs + DAY <= toMs; dayMs += DAY) {
    const weekday = new Date(dayMs).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(dayMs);
  }
  return days;
}

/** The NAV of a book at its cut-off, its parts in cents, each part rounded once, so they add up exactly. */
function valuation(book: BookAtClose) {
  const components: Record<string, unknown> = {};
  let equityCents = 0n;
  for (const symbol of [...book.holdings.keys()].sort()) {
    const { units, priceUnits } = book.holdings.get(symbol)!;
    if (units === 0) continue;
    const valueCents = productToCents(BigInt(units) * BigInt(priceUnits));
    equityCents += valueCents;
    components[`${symbol}_shares`] = exactDecimal(unitsToJsonNumberString(units));
    components[`${symbol}_value`] = exactDecimal(formatCents(valueCents));
  }
  const cashCents = productToCents(book.cash);
  return { navCents: cashCents + equityCents, cashCents, equityCents, components };
}

/**
 * The end-of-day events of each trading day, after the day's fills: the NAV
 * log's `nav_calculated` (the book marked at each symbol's latest fill
 * price), the risk engine's `circuit_breaker_triggered` on a day the NAV
 * falls more than 1% below the day before's, and the CCO's
 * `daily_logs_certified` (logging spec, "Daily Attestation").
 */
export async function emitDailyEvents(walk: WalkState, days: readonly number[], decisions: number): Promise<void> {
  const capital = BigInt(decisions) * CAPITAL_PER_DECISION * UNITS_PER_DOLLAR;
  let previousCents: bigint | null = null;
  for (const book of walk.ledger.booksAt(days, capital)) {
    const navMs = book.dayMs + NAV_CUTOFF_MS;
    const { navCents, cashCents, equityCents, components } = valuation(book);
    await emitEvent(walk, 'nav', () => ({
      logType: 'NAV',
      exactNumbers: true,
      event: 'nav_calculated',
      actor: 'nav-calculator',
      atMs: navMs,
      data: {
        nav: exactDecimal(formatCents(navCents)),
        cash: exactDecimal(formatCents(cashCents)),
        equity_value: exactDecimal(formatCents(equityCents)),
        methodology: 'mark_to_market',
        pricing_source: 'last_fill_prices',
        components,
        verified_by: 'administrator',
        verification_timestamp: new Date(navMs + VERIFIED_AFTER_MS).toISOString(),
        discrepancy: exactDecimal('0.00'),
      },
    }));
    // Ten-thousandths of the previous NAV, rounded towards zero: what the limit is compared with.
    const previous = previousCents;
    const changeBp = previous === null ? 0n : ((navCents - previous) * 10_000n) / previous;
    if (previous !== null && changeBp < DAILY_LOSS_LIMIT_BP)
      await emitEvent(walk, 'risk', () => ({
        logType: 'RISK',
        event: 'circuit_breaker_triggered',
        exactNumbers: true,
        actor: 'risk-engine',
        atMs: navMs + MINUTE,
        data: {
          severity: 'HIGH',
          trigger: 'daily_loss_limit',
          daily_change: Number(changeBp) / 10_000,
          threshold: Number(DAILY_LOSS_LIMIT_BP) / 10_000,
          action_taken: 'new_orders_paused_for_review',
          portfolio_nav: exactDecimal(formatCents(navCents)),
          previous_nav: exactDecimal(formatCents(previous)),
          positions_affected: Object.keys(components).length / 2,
          notified: ['portfolio_manager', 'cco'],
          auto_executed: false,
        },
      }));
    previousCents = navCents;
    await emitEvent(walk, 'compliance', () => ({
      logType: 'COMPLIANCE',
      event: 'daily_logs_certified',
      actor: 'cco',
      atMs: book.dayMs + CERTIFIED_AT_MS,
      data: {
        date: new Date(book.dayMs).toISOString().slice(0, 10),
        certified_by: 'cco',
        certification_timestamp: new Date(book.dayMs + CERTIFIED_AT_MS).toISOString(),
        trades_logged: book.fills,
        nav_calculated: true,
        statement: 'I certify that the audit logs for this date are complete and accurate',
      },
    }));
  }
}
