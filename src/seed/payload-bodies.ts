import type { Random } from './random';
import { type FetchTask, INSIDER_TITLES, POLITICIANS, TRADE_RANGES } from './vocabulary';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The body one record of a data-fetch response carries, shaped like the provider's API. */
export function fetchedRecord(
  random: Random,
  task: FetchTask,
  symbol: string,
  price: number,
  atMs: number,
): Record<string, unknown> {
  switch (task.kind) {
    case 'congress': {
      const politician = random.pick(POLITICIANS);
      const lagDays = random.int(3, 44);
      return {
        Representative: politician.name,
        BioGuideID: politician.bioGuideId,
        ReportDate: day(atMs),
        TransactionDate: day(atMs - lagDays * 86_400_000),
        Ticker: symbol,
        Transaction: random.chance(0.62) ? 'Purchase' : random.chance(0.7) ? 'Sale' : 'Sale (Partial)',
        Range: random.pick(TRADE_RANGES),
        House: politician.house,
        Party: politician.party,
        TickerType: 'ST',
        last_modified: day(atMs),
      };
    }
    case 'insider': {
      const shares = random.int(500, 250_000);
      return {
        Ticker: symbol,
        Name:
          `${random.pick(['J.', 'M.', 'A.', 'R.', 'S.'])} ` +
          random.pick(['Huang', 'Cook', 'Nadella', 'Su', 'Dimon', 'Musk', 'Jassy', 'Pichai']),
        Title: random.pick(INSIDER_TITLES),
        Date: day(atMs),
        AcquiredDisposedCode: random.chance(0.55) ? 'A' : 'D',
        SharesTraded: shares,
        PricePerShare: Math.round(price * (0.95 + random.float() * 0.1) * 100) / 100,
        SharesOwnedFollowing: shares * random.int(2, 40),
      };
    }
    case 'bars': {
      const bars = Array.from({ length: 3 }, (_, index) => {
        const open = price * (0.97 + random.float() * 0.06);
        const close = open * (0.98 + random.float() * 0.04);
        return {
          t: new Date(atMs - (3 - index) * 86_400_000).toISOString(),
          o: round2(open),
          h: round2(Math.max(open, close) * 1.01),
          l: round2(Math.min(open, close) * 0.99),
          c: round2(close),
          v: random.int(200_000, 40_000_000),
        };
      });
      return { symbol, timeframe: '1Day', bars };
    }
  }
}

/** A failed fetch's body, as the providers answer errors. */
export function fetchError(httpStatus: number): Record<string, unknown> {
  const messages: Record<number, string> = {
    401: 'Invalid API token',
    429: 'Too many requests: rate limit of 300/min exceeded',
    500: 'Internal Server Error',
    503: 'Service temporarily unavailable',
  };
  return { error: messages[httpStatus] ?? 'error', status: httpStatus };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
