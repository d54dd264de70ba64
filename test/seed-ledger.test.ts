import fc from 'fast-check';
import { tradingDays } from '../src/seed/daily-events';
import { FillLedger, type LedgerFill, NAV_CUTOFF_MS } from '../src/seed/fill-ledger';
import { centsToJsonNumber, formatCents, productToCents } from '../src/seed/fixed-point';

const DAY = 86_400_000;
const START = Date.UTC(2023, 11, 1);

const fillArbitrary = fc.record({
  atMs: fc.integer({ min: START, max: START + 40 * DAY }),
  executionId: fc.integer({ min: 1, max: 1_000_000 }),
  symbol: fc.constantFrom('AAPL', 'NVDA', 'SPY'),
  signedUnits: fc.integer({ min: -4_000_000, max: 4_000_000 }).filter((units) => units !== 0),
  priceUnits: fc.integer({ min: 1, max: 15_000_000 }),
  commissionUnits: fc.integer({ min: 0, max: 15_000 }),
});

describe('the NAV ledger of the generated fills', () => {
  it('strikes the book at each cut-off as every fill before it, in whatever order the walk met them', () => {
    fc.assert(
      fc.property(
        fc.array(fillArbitrary, { maxLength: 60 }),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        (fills, capital) => {
          const ledger = new FillLedger();
          for (const fill of fills) ledger.add(fill);
          const days = tradingDays(START, START + 45 * DAY);
          let previousCutoff = -Infinity;
          for (const book of ledger.booksAt(days, capital)) {
            const cutoff = book.dayMs + NAV_CUTOFF_MS;
            const before = fills.filter((fill) => fill.atMs < cutoff);
            const cash = before.reduce(
              (sum, fill) =>
                sum - BigInt(fill.signedUnits) * BigInt(fill.priceUnits) - BigInt(fill.commissionUnits) * 10_000n,
              capital,
            );
            expect(book.cash).toBe(cash);
            expect(book.fills).toBe(before.filter((fill) => fill.atMs >= previousCutoff).length);
            const latest = new Map<string, LedgerFill>();
            for (const fill of before) {
              const seen = latest.get(fill.symbol);
              if (!seen || fill.atMs > seen.atMs || (fill.atMs === seen.atMs && fill.executionId > seen.executionId))
                latest.set(fill.symbol, fill);
            }
            expect(Object.fromEntries([...book.holdings].map(([symbol, held]) => [symbol, { ...held }]))).toEqual(
              Object.fromEntries(
                [...latest].map(([symbol, fill]) => [
                  symbol,
                  {
                    units: before.filter((f) => f.symbol === symbol).reduce((sum, f) => sum + f.signedUnits, 0),
                    priceUnits: fill.priceUnits,
                  },
                ]),
              ),
            );
            previousCutoff = cutoff;
          }
        },
      ),
    );
  });

  it('counts a fill at the cut-off towards the next day, and one a moment before towards this one', () => {
    const monday = Date.UTC(2026, 10, 2);
    expect(FillLedger.navDayOf(monday + NAV_CUTOFF_MS - 1)).toBe(monday);
    expect(FillLedger.navDayOf(monday + NAV_CUTOFF_MS)).toBe(monday + DAY);
    expect(FillLedger.navDayOf(monday)).toBe(monday);
    // Before 1970 too (negative milliseconds).
    const old = Date.UTC(1969, 11, 31);
    expect(FillLedger.navDayOf(old + NAV_CUTOFF_MS - 1)).toBe(old);
  });

  it('lists Monday to Friday, whole days only', () => {
    // 2026-11-27 is a Friday: it and Monday; Tuesday, the anchor's own day, is not whole before it.
    expect(
      tradingDays(Date.UTC(2026, 10, 27), Date.UTC(2026, 11, 1, 12)).map((ms) => new Date(ms).toISOString()),
    ).toEqual(['2026-11-27T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(tradingDays(Date.UTC(2026, 10, 28), Date.UTC(2026, 10, 30))).toEqual([]);
  });
});

describe('money in the generated logs', () => {
  it('rounds products to cents half away from zero, as PostgreSQL round(numeric, 2)', () => {
    expect(productToCents(500_000n)).toBe(1n);
    expect(productToCents(499_999n)).toBe(0n);
    expect(productToCents(-500_000n)).toBe(-1n);
    expect(productToCents(-499_999n)).toBe(0n);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (units) => {
        const cents = productToCents(units);
        // Within half a cent, and on a tie away from zero.
        const twice = 2n * (units - cents * 1_000_000n);
        expect(twice <= 1_000_000n && twice >= -1_000_000n).toBe(true);
        if (twice === 1_000_000n) expect(units < 0n).toBe(true);
        if (twice === -1_000_000n) expect(units > 0n).toBe(true);
      }),
    );
  });

  it('writes cents as their digits, and as a JSON number only where a double keeps them', () => {
    expect(formatCents(-1234n)).toBe('-12.34');
    expect(formatCents(5n)).toBe('0.05');
    expect(formatCents(-5n)).toBe('-0.05');
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), (cents) => {
        expect(BigInt(Math.round(centsToJsonNumber(cents) * 100))).toBe(cents);
        expect(String(centsToJsonNumber(cents))).toBe(formatCents(cents).replace(/\.?0+$/, ''));
      }),
    );
    expect(() => centsToJsonNumber(10n ** 15n)).toThrow(RangeError);
    expect(() => centsToJsonNumber(-(10n ** 15n))).toThrow(RangeError);
  });
});
