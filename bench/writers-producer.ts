import 'reflect-metadata';
import { createOrm } from '../src/database/orm';
import { TradeSide } from '../src/entities/trade-decision.entity';
import { recordDecisions } from '../src/record/record-decisions';
import { instantOf } from '../src/time/instant';

/**
 * A producer, in a process of its own (forked by bench/writers.bench.ts, so an
 * import's parsing in the bench's process does not delay its timer): records
 * one decision at a time through the recordDecision mutation's SQL path,
 * every PAUSE_MS, timing each write, from its first write until told `stop`;
 * then answers the latencies (ms) and exits.
 */
const PAUSE_MS = 20;

async function main() {
  const orm = await createOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 1 });
  const latencies: number[] = [];
  let stopping = false;
  process.on('message', (message) => {
    if (message === 'stop') stopping = true;
  });
  for (let n = 0; !stopping; n++) {
    const started = process.hrtime.bigint();
    await recordDecisions(orm.em.fork(), 'bench-producer', [
      {
        decisionId: `producer-${process.pid}-${n}`,
        strategy: 'LatencyProbe',
        symbol: 'SPY',
        side: TradeSide.buy,
        quantity: '1',
        orderType: 'market',
        createdAt: instantOf(new Date()),
      },
    ]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The first write warms the connection and the plans: not counted; it says the producer is ready.
    if (n === 0) process.send!('ready');
    else latencies.push(ms);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await orm.close();
  process.send!({ latencies }, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
