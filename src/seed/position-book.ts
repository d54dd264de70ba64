/** A position being built by fills, until it has had its planned number of executions. */
export type OpenPosition = {
  id: number;
  account: string;
  symbol: string;
  plannedFills: number;
  fills: number;
  /** Signed quantity, in 1/10,000 units: buys add, sells subtract. */
  quantityUnits: number;
  /** Sum of |quantity| × price, and of |quantity|, for the average cost. */
  costUnits: bigint;
  absoluteUnits: number;
  openedAtMs: number;
  lastFillMs: number;
};

/**
 * Groups fills into positions per account and symbol: each position takes
 * 1–6 executions, then is finished (closed or left open) and a new one starts.
 */
export class PositionBook {
  private readonly open = new Map<string, OpenPosition>();
  private nextId = 1;

  /** The position the next fill of this account and symbol goes into, opened if needed. */
  positionFor(account: string, symbol: string, atMs: number, plannedFills: () => number): OpenPosition {
    const key = `${account}|${symbol}`;
    let position = this.open.get(key);
    if (!position) {
      position = {
        id: this.nextId++,
        account,
        symbol,
        plannedFills: plannedFills(),
        fills: 0,
        quantityUnits: 0,
        costUnits: 0n,
        absoluteUnits: 0,
        openedAtMs: atMs,
        lastFillMs: atMs,
      };
      this.open.set(key, position);
    }
    return position;
  }

  /** Adds a fill; returns the position when it has had all its planned fills and leaves the book. */
  addFill(position: OpenPosition, signedUnits: number, priceUnits: number, atMs: number): OpenPosition | undefined {
    position.fills += 1;
    position.quantityUnits += signedUnits;
    position.absoluteUnits += Math.abs(signedUnits);
    position.costUnits += BigInt(Math.abs(signedUnits)) * BigInt(priceUnits);
    position.lastFillMs = atMs;
    if (position.fills < position.plannedFills) return undefined;
    this.open.delete(`${position.account}|${position.symbol}`);
    return position;
  }

  /** Positions still being built when the data ends; they stay open. */
  remaining(): OpenPosition[] {
    return [...this.open.values()];
  }

  get count(): number {
    return this.nextId - 1;
  }
}

/** Average cost per share in 1/10,000 units, rounded half up. */
export function averageCostUnits(position: OpenPosition): number | null {
  if (position.absoluteUnits === 0) return null;
  const divisor = BigInt(position.absoluteUnits);
  return Number((position.costUnits * 2n + divisor) / (divisor * 2n));
}
