import { DAY, HOUR, MINUTE } from './durations';

/** The NAV is struck at 21:15 UTC, after the US close: a fill at or after it counts towards the next day's. */
export const NAV_CUTOFF_MS = 21 * HOUR + 15 * MINUTE;

/** One fill as the NAV sees it: signed quantity and price in 1/10,000 units, commission too. */
export type LedgerFill = {
  atMs: number;
  executionId: number;
  symbol: string;
  signedUnits: number;
  priceUnits: number;
  commissionUnits: number;
};

/** What the fills of one NAV day did: net quantity and cash flow, and each symbol's latest fill price. */
type DayMoves = {
  /** Cash flow in 1/10^8 units (quantity units × price units): sells bring cash in, buys and commissions take it. */
  cash: bigint;
  symbols: Map<string, { units: number; last: { atMs: number; executionId: number; priceUnits: number } }>;
};

/** The book at one NAV cut-off: cash in 1/10^8 units, net quantity and latest fill price per symbol. */
export type BookAtClose = {
  dayMs: number;
  cash: bigint;
  holdings: ReadonlyMap<string, { units: number; priceUnits: number }>;
  /** Fills that counted towards this day (since the previous cut-off). */
  fills: number;
};

/**
 * The generated fills, kept by the NAV day they count towards, so that the
 * book can be struck at each day's cut-off whatever order the walk met them
 * in (the walk is chronological only roughly). Memory is one entry per day
 * and symbol traded, not per fill.
 */
export class FillLedger {
  private readonly days = new Map<number, DayMoves & { fills: number }>();

  /** The UTC midnight of the NAV day a fill at `atMs` counts towards. */
  static navDayOf(atMs: number): number {
    return Math.floor((atMs - NAV_CUTOFF_MS) / DAY) * DAY + DAY;
  }

  add(fill: LedgerFill): void {
    const dayMs = FillLedger.navDayOf(fill.atMs);
    let day = this.days.get(dayMs);
    if (!day) this.days.set(dayMs, (day = { cash: 0n, symbols: new Map(), fills: 0 }));
    day.fills += 1;
    day.cash -= BigInt(fill.signedUnits) * BigInt(fill.priceUnits) + BigInt(fill.commissionUnits) * 10_000n;
    let symbol = day.symbols.get(fill.symbol);
    if (!symbol) day.symbols.set(fill.symbol, (symbol = { units: 0, last: fill }));
    symbol.units += fill.signedUnits;
    const { last } = symbol;
    if (fill.atMs > last.atMs || (fill.atMs === last.atMs && fill.executionId > last.executionId)) symbol.last = fill;
  }

  /**
   * The book at the cut-off of each of `days` (UTC midnights, ascending),
   * starting from `capitalUnits` of cash (1/10^8 units): every fill before
   * that day's cut-off counted, weekend fills in the next NAV day's.
   */
  *booksAt(days: readonly number[], capitalUnits: bigint): Generator<BookAtClose> {
    const moves = [...this.days.entries()].sort(([a], [b]) => a - b);
    const holdings = new Map<string, { units: number; priceUnits: number }>();
    let cash = capitalUnits;
    let next = 0;
    for (const dayMs of days) {
      let fills = 0;
      for (; next < moves.length && moves[next]![0] <= dayMs; next++) {
        const [, day] = moves[next]!;
        cash += day.cash;
        fills += day.fills;
        for (const [symbol, { units, last }] of day.symbols) {
          const held = holdings.get(symbol);
          holdings.set(symbol, { units: (held?.units ?? 0) + units, priceUnits: last.priceUnits });
        }
      }
      yield { dayMs, cash, holdings, fills };
    }
  }
}
