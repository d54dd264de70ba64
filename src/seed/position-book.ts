/** An open lot of one account and symbol: the position its fills go into until they bring it back to zero. */
export type OpenPosition = {
  id: number;
  account: string;
  symbol: string;
  /** Signed quantity, in 1/10,000 units: buys add, sells subtract. */
  quantityUnits: number;
};

/**
 * What a fill did: the position it went into, the part of it that was filled,
 * and whether the position was opened by it.
 */
export type BookedFill = { position: OpenPosition; filledUnits: number; opened: boolean };

/**
 * The seed's positions, as the importer and the derivation see them
 * (src/sql/position-lot.ts): one open lot per account and symbol; a
 * fill adds to it or reduces it, and the fill that brings it to zero closes
 * it. The seed never crosses zero: a fill that would is only partly filled,
 * up to the close, so every position's fills form one lot.
 */
export class PositionBook {
  private readonly open = new Map<string, OpenPosition>();
  private nextId = 1;

  /** Books a fill of up to `signedUnits` (never zero) for the account and symbol. */
  fill(account: string, symbol: string, signedUnits: number): BookedFill {
    const key = `${account}|${symbol}`;
    let position = this.open.get(key);
    const opened = !position;
    if (!position) {
      position = { id: this.nextId++, account, symbol, quantityUnits: 0 };
      this.open.set(key, position);
    }
    const crosses =
      position.quantityUnits !== 0 &&
      Math.sign(position.quantityUnits + signedUnits) === -Math.sign(position.quantityUnits);
    const booked = crosses ? -position.quantityUnits : signedUnits;
    position.quantityUnits += booked;
    if (position.quantityUnits === 0) this.open.delete(key);
    return { position, filledUnits: Math.abs(booked), opened };
  }

  get count(): number {
    return this.nextId - 1;
  }
}
