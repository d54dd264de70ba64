import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Orm } from '../src/database/orm';
import { importFile } from '../src/import/import-files';

// The generated JSONL trading-log set the import benchmarks read (bench/import.bench.ts, bench/writers.bench.ts).

export const LINES_PER_CYCLE = 10;
const BASE = Date.UTC(2025, 10, 18, 14, 30);
const SYMBOLS = ['SPY', 'QQQ', 'TLT', 'IWM', 'GLD', 'XLE', 'XLF', 'XLK', 'AAPL', 'NVDA'];

type Writers = Record<'orders' | 'trades' | 'performance' | 'errors', NodeJS.WritableStream>;

async function write(stream: NodeJS.WritableStream, line: object) {
  if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
}

/** Per cycle: four orders, three of them filled, one rejected, and two NAV snapshots — ten lines. */
export async function generate(dir: string, lines: number): Promise<void> {
  const streams = Object.fromEntries(
    ['orders', 'trades', 'performance', 'errors'].map((name) => [
      name,
      createWriteStream(path.join(dir, `${name}.jsonl`)),
    ]),
  ) as unknown as Writers;
  const position = new Map<string, number>();
  for (let cycle = 0; cycle < lines / LINES_PER_CYCLE; cycle++) {
    const at = (second: number) => new Date(BASE + cycle * 60_000 + second * 1000).toISOString().replace('Z', '+00:00');
    for (let leg = 0; leg < 4; leg++) {
      const symbol = SYMBOLS[(cycle * 4 + leg) % SYMBOLS.length]!;
      const side = (cycle + leg) % 3 === 0 ? 'sell' : 'buy';
      const quantity = 1 + ((cycle * 7 + leg) % 20);
      const price = 100 + ((cycle * 13 + leg * 5) % 500) + 0.25;
      const orderId = `ord-${cycle}-${leg}`;
      await write(streams.orders, {
        timestamp: at(leg),
        event_type: 'order_submitted',
        order_id: orderId,
        symbol,
        side,
        quantity,
        price,
        order_type: 'market',
        status: 'accepted',
        nav: 100000 + cycle,
        model: 'SectorRotationModel_v1',
      });
      if (leg < 3) {
        const next = (position.get(symbol) ?? 0) + (side === 'buy' ? quantity : -quantity);
        position.set(symbol, next);
        await write(streams.trades, {
          timestamp: at(leg + 5),
          event_type: 'trade_executed',
          order_id: orderId,
          symbol,
          side,
          quantity,
          price: price + 0.02,
          value: quantity * price,
          new_position: next,
          nav: 100000 + cycle,
        });
      } else {
        await write(streams.errors, {
          timestamp: at(leg + 5),
          event_type: 'order_error',
          order_id: orderId,
          symbol,
          side,
          quantity,
          error: 'Insufficient buying power',
          order_data: { symbol, qty: quantity },
        });
      }
    }
    for (const second of [30, 45]) {
      await write(streams.performance, {
        timestamp: at(second),
        event_type: 'cycle_complete',
        nav: 100000 + cycle,
        cash: 40000,
        positions_count: position.size,
        positions: Object.fromEntries(position),
        buying_power: 80000,
      });
    }
  }
  await Promise.all(
    Object.values(streams).map((stream) => new Promise<void>((resolve) => stream.end(() => resolve()))),
  );
}

/** Imports the four files in order, printing each one's rate; the lines and seconds of all four. */
export async function importAll(orm: Orm, dir: string, log: (line: string) => void = console.log) {
  let lines = 0;
  const started = Date.now();
  for (const name of ['orders', 'trades', 'performance', 'errors']) {
    const result = await importFile(orm.em.fork(), path.join(dir, `${name}.jsonl`), { actor: 'import.bench' });
    lines += result.lines;
    log(
      `  ${result.file}: ${result.lines} lines in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(result.lines / result.seconds)} lines/s)`,
    );
  }
  const seconds = (Date.now() - started) / 1000;
  return { lines, seconds };
}
