import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { type ImportError, importFile } from '../src/import/import-files';
import { daysPeriod } from '../src/reports/period';
import { integrityReport } from '../src/reports/integrity.report';
import { startTestGateway, type TestGateway } from './harness/gateway';

/** Exact decimals as integers of 10^-8, the record's scale; the reference model never touches a float. */
const SCALE = 100_000_000n;
const decimal = (units: bigint) => {
  const digits = (units < 0n ? -units : units).toString().padStart(9, '0');
  return `${units < 0n ? '-' : ''}${digits.slice(0, -8)}.${digits.slice(-8)}`;
};

type Fill = { account: string; buy: boolean; units: bigint; priceUnits: bigint };
type Lot = { account: string; quantity: bigint; avgCost: bigint; fills: number };

/**
 * The usual rules, written as plainly as possible: a lot per account while it
 * is open; adding updates the weighted average (half up at 8 decimals),
 * reducing keeps it, and a fill through zero closes the lot and opens the next at its price.
 */
function referenceLots(fills: Fill[]): Lot[] {
  const lots: Lot[] = [];
  const open = new Map<string, Lot>();
  const openLot = (account: string, quantity: bigint, price: bigint) => {
    const lot = { account, quantity, avgCost: price, fills: 1 };
    lots.push(lot);
    open.set(account, lot);
  };
  for (const { account, buy, units, priceUnits } of fills) {
    const signed = buy ? units : -units;
    const lot = open.get(account);
    if (!lot) {
      openLot(account, signed, priceUnits);
    } else if (lot.quantity > 0n === signed > 0n) {
      const cost = lot.quantity * lot.avgCost + signed * priceUnits;
      const quantity = lot.quantity + signed;
      const [n, d] = [cost < 0n ? -cost : cost, quantity < 0n ? -quantity : quantity];
      lot.avgCost = (2n * n + d) / (2n * d);
      lot.quantity = quantity;
      lot.fills++;
    } else if (lot.quantity + signed > 0n !== lot.quantity > 0n && lot.quantity + signed !== 0n) {
      const rest = lot.quantity + signed;
      lot.quantity = 0n;
      lot.fills++;
      open.delete(account);
      openLot(account, rest, priceUnits);
    } else {
      lot.quantity += signed;
      lot.fills++;
      if (lot.quantity === 0n) open.delete(account);
    }
  }
  return lots;
}

const POSITIONS = /* GraphQL */ `query ($symbol: String!) {
  positions(filter: { symbol: $symbol }, first: 100) { nodes { account symbol quantity avgCost status openedAt closedAt
    executions(first: 100) { nodes { executionId filledQuantity } } } }
}`;

/**
 * Positions built from trading logs: one per account and symbol while open, what they are now
 * derived from their fills.
 */
describe('positions from fills', () => {
  let gateway: TestGateway;
  let dir: string;
  let day = 0;

  beforeAll(async () => {
    gateway = await startTestGateway();
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-lots-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await gateway.close();
  });

  /**
   * Imports the orders and trades of `fills`, one per minute on a day of their own, for `symbol`;
   * each trade states the position it leaves.
   */
  async function importFills(symbol: string, fills: Fill[]) {
    const date = new Date(Date.UTC(2025, 0, 1 + day++)).toISOString().slice(0, 10);
    const at = (index: number, second: number) =>
      `${date}T${String(Math.floor(index / 60)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}` +
      `:${String(second).padStart(2, '0')}.000001+00:00`;
    const held = new Map<string, bigint>();
    const orders: string[] = [];
    const trades: string[] = [];
    fills.forEach((fill, index) => {
      const orderId = `${symbol}-${index}`;
      const [side, quantity, price] = [fill.buy ? 'buy' : 'sell', decimal(fill.units), decimal(fill.priceUnits)];
      held.set(fill.account, (held.get(fill.account) ?? 0n) + (fill.buy ? fill.units : -fill.units));
      orders.push(
        `{"timestamp":"${at(index, 0)}","event_type":"order_submitted","order_id":"${orderId}",` +
          `"symbol":"${symbol}","side":"${side}","quantity":${quantity},"price":${price},` +
          `"order_type":"market","status":"accepted","nav":1,"model":"m"}`,
      );
      trades.push(
        `{"timestamp":"${at(index, 5)}","event_type":"trade_executed","order_id":"${orderId}",` +
          `"account":"${fill.account}","symbol":"${symbol}","side":"${side}","quantity":${quantity},` +
          `"price":${price},"new_position":${decimal(held.get(fill.account)!)},"nav":1}`,
      );
    });
    await writeLog('orders.jsonl', orders);
    await writeLog('trades.jsonl', trades);
    return date;
  }

  async function writeLog(name: string, lines: string[]) {
    await writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
    return importFile(gateway.orm.em.fork(), path.join(dir, name), { actor: 'test' });
  }

  async function positionsOf(symbol: string) {
    const { data, errors } = await gateway.execute(POSITIONS, { symbol });
    expect(errors).toBeUndefined();
    // Oldest first, as the lots were opened.
    return (data!.positions.nodes as any[]).reverse();
  }

  const quantityFinding = async (date: string) =>
    (await integrityReport(gateway.orm.em.fork(), daysPeriod(date, date))).findings.find(
      (finding) => finding.check === 'POSITION_QUANTITY_MISMATCH',
    )!;

  it(
    'keeps one position per account and symbol while open: adds, partial closes, a fill through zero, ' +
      'a second account',
    async () => {
      const u = (value: number) => BigInt(Math.round(value * 10_000)) * (SCALE / 10_000n);
      const date = await importFills('SPY', [
        { account: 'bot', buy: true, units: u(10), priceUnits: u(100) },
        { account: 'bot', buy: true, units: u(5), priceUnits: u(130) }, // average (1000 + 650) / 15 = 110
        { account: 'other', buy: true, units: u(7), priceUnits: u(101) },
        { account: 'bot', buy: false, units: u(6), priceUnits: u(150) }, // a partial close keeps the average
        { account: 'bot', buy: false, units: u(12), priceUnits: u(140) }, // 9 close the lot, 3 open a short one at 140
        { account: 'bot', buy: true, units: u(3), priceUnits: u(120) }, // which this closes
      ]);
      const positions = await positionsOf('SPY');
      expect(
        positions.map(({ executions, ...position }) => ({
          ...position,
          executions: executions.nodes.map(
            (node: any) => `${node.executionId.replace(/@.*?\+00:00/, '')} ${node.filledQuantity}`,
          ),
        })),
      ).toEqual([
        {
          account: 'bot',
          symbol: 'SPY',
          quantity: '0.00000000',
          avgCost: '110.00000000',
          status: 'closed',
          openedAt: `${date}T00:00:05.000001Z`,
          closedAt: `${date}T00:04:05.000001Z`,
          executions: ['SPY-0 10.00000000', 'SPY-1 5.00000000', 'SPY-3 6.00000000', 'SPY-4 9.00000000'],
        },
        {
          account: 'other',
          symbol: 'SPY',
          quantity: '7.00000000',
          avgCost: '101.00000000',
          status: 'open',
          openedAt: `${date}T00:02:05.000001Z`,
          closedAt: null,
          executions: ['SPY-2 7.00000000'],
        },
        {
          account: 'bot',
          symbol: 'SPY',
          quantity: '0.00000000',
          avgCost: '140.00000000',
          status: 'closed',
          openedAt: `${date}T00:04:05.000001Z`,
          closedAt: `${date}T00:05:05.000001Z`,
          executions: ['SPY-4:opening 3.00000000', 'SPY-5 3.00000000'],
        },
      ]);
      // Imported again, every fill finds the position it was given the first time.
      const again = await importFile(gateway.orm.em.fork(), path.join(dir, 'trades.jsonl'), { actor: 'test' });
      expect({ positions: again.counts.positions, executions: again.counts.trade_executions }).toEqual({
        positions: { created: 0, unchanged: 3 },
        executions: { created: 0, unchanged: 7 },
      });
      expect(await positionsOf('SPY')).toEqual(positions);
      const report = await integrityReport(gateway.orm.em.fork(), daysPeriod(date, date));
      expect(report.findings.filter((finding) => finding.count > 0).map((finding) => finding.check)).toEqual([]);
    },
  );

  it('a position the log says holds more than its fills is the finding', async () => {
    // A log that begins mid-history: its first fill of IWM buys 2, and says the position is now 5.
    const date = '2024-12-31';
    await writeLog('orders.jsonl', [
      `{"timestamp":"${date}T01:00:00+00:00","event_type":"order_submitted","order_id":"IWM-1",` +
        `"symbol":"IWM","side":"buy","quantity":2,"price":50,"order_type":"market","status":"accepted",` +
        `"nav":1,"model":"m"}`,
    ]);
    await writeLog('trades.jsonl', [
      `{"timestamp":"${date}T01:00:05+00:00","event_type":"trade_executed","order_id":"IWM-1",` +
        `"symbol":"IWM","side":"buy","quantity":2,"price":50,"new_position":5,"nav":1}`,
    ]);
    const finding = await quantityFinding(date);
    expect(finding.count).toBe(1);
    expect(finding.items[0]!.detail).toBe(
      'IWM trading-bot: opened at 5.00000000 @ 50.00000000 as recorded, its first fill is 2.00000000 @ 50.00000000',
    );
    // What it holds is what its fills hold.
    expect((await positionsOf('IWM')).map((position) => position.quantity)).toEqual(['2.00000000']);
  });

  it('refuses fills of one account and symbol out of time order, naming the line', async () => {
    const order = (id: string, at: string) =>
      `{"timestamp":"${at}","event_type":"order_submitted","order_id":"${id}",` +
      `"symbol":"DIA","side":"buy","quantity":1,"price":10,"order_type":"market","status":"accepted",` +
      `"nav":1,"model":"m"}`;
    const trade = (id: string, at: string) =>
      `{"timestamp":"${at}","event_type":"trade_executed","order_id":"${id}",` +
      `"symbol":"DIA","side":"buy","quantity":1,"price":10,"new_position":1,"nav":1}`;
    await writeLog('orders.jsonl', [order('DIA-1', '2024-12-30T10:00:00Z'), order('DIA-2', '2024-12-30T09:00:00Z')]);
    const refused = await writeLog('trades.jsonl', [
      trade('DIA-1', '2024-12-30T10:00:01Z'),
      trade('DIA-2', '2024-12-30T09:00:01Z'),
    ]).then(
      () => null,
      (error: unknown) => error as ImportError,
    );
    expect(refused?.problems).toEqual([
      'trades.jsonl:2: fills of DIA for trading-bot must be in time order: ' +
        'this one (2024-12-30T09:00:01.000000Z) is before 2024-12-30T10:00:01.000000Z',
    ]);
    expect(await positionsOf('DIA')).toEqual([]);
    // Within one millisecond too: the log carries microseconds, a Date does not.
    await writeLog('orders.jsonl', [order('DIA-3', '2024-12-30T11:00:00Z'), order('DIA-4', '2024-12-30T11:00:00Z')]);
    const sameMillisecond = await writeLog('trades.jsonl', [
      trade('DIA-3', '2024-12-30T11:00:01.123600Z'),
      trade('DIA-4', '2024-12-30T11:00:01.123400Z'),
    ]).then(
      () => null,
      (error: unknown) => error as ImportError,
    );
    expect(sameMillisecond?.problems).toEqual([
      'trades.jsonl:2: fills of DIA for trading-bot must be in time order: ' +
        'this one (2024-12-30T11:00:01.123400Z) is before 2024-12-30T11:00:01.123600Z',
    ]);
  });

  it(
    'for any fills, the positions and what they hold now are those of the reference model, ' +
      'and the audit finds nothing',
    async () => {
      const fill = fc.record({
        account: fc.constantFrom('bot', 'other'),
        buy: fc.boolean(),
        // Up to 4 decimals of quantity and price: sums and weighted averages exercise every rounding.
        units: fc.bigInt({ min: 1n, max: 5_000_000n }).map((value) => value * 10_000n),
        priceUnits: fc.bigInt({ min: 1n, max: 20_000_000n }).map((value) => value * 10_000n),
      });
      let symbol = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fill, { minLength: 1, maxLength: 12 }), async (fills) => {
          const name = `P${++symbol}`;
          const date = await importFills(name, fills);
          const actual = (await positionsOf(name)).map((position) => ({
            account: position.account,
            quantity: position.quantity,
            avgCost: position.avgCost,
            status: position.status,
            fills: position.executions.nodes.length,
          }));
          const expected = referenceLots(fills).map((lot) => ({
            account: lot.account,
            quantity: decimal(lot.quantity),
            avgCost: decimal(lot.avgCost),
            status: lot.quantity === 0n ? 'closed' : 'open',
            fills: lot.fills,
          }));
          expect(actual).toEqual(expected);
          expect(await quantityFinding(date)).toMatchObject({ count: 0 });
        }),
        { numRuns: 40 },
      );
    },
  );
});
