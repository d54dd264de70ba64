import { Gauge } from 'prom-client';
import type { Orm } from '../database/orm';
import { strategyPerformance } from '../reports/strategy-performance.report';
import { addMilliseconds, instantOf } from '../time/instant';
import { CachedReading } from './cached-reading';
import { metricsRegistry } from './registry';

/** The weekly review's window (operations guide): the last 7 UTC days, today included. */
const WINDOW_DAYS = 7;
/** A week of decisions and the catalog's sizes move slowly: read them every 5 minutes, not per scrape. */
const MAX_AGE_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;
const DAY_MS = 86_400_000;

type Reading = { successRatios: Map<string, number>; payloadBytes: number };

/**
 * The guide's warning alerts' inputs: each strategy's success rate over the
 * week, from the same report `auditgraph report strategy-performance` runs,
 * and the on-disk size of api_payloads (with its TOAST and indexes, from the
 * catalog: no scan).
 */
async function readWeek(orm: Orm): Promise<Reading> {
  const em = orm.em.fork();
  const today = instantOf(new Date()).slice(0, 10);
  const from = addMilliseconds(`${today}T00:00:00Z`, -(WINDOW_DAYS - 1) * DAY_MS).slice(0, 10);
  const [strategies, [storage]] = await Promise.all([
    strategyPerformance(em, { from, to: today }),
    em.getConnection().execute<{ bytes: string }[]>(`select pg_total_relation_size('api_payloads') as bytes`),
  ]);
  const successRatios = new Map<string, number>();
  for (const row of strategies) if (row.successRate !== null) successRatios.set(row.strategy, row.successRate);
  return { successRatios, payloadBytes: Number(storage!.bytes) };
}

const week = new CachedReading('the weekly gauges query', MAX_AGE_MS, TIMEOUT_MS, readWeek);

/** The gateway's database (one gateway per process); drops the cached values. */
export function useWeeklyGaugeSource(orm: Orm): void {
  week.use(orm);
}

new Gauge({
  name: 'auditgraph_strategy_success_ratio',
  help: `Executed / decided (not pending) decisions of each strategy over the last ${WINDOW_DAYS} UTC days.`,
  labelNames: ['strategy'] as const,
  registers: [metricsRegistry],
  async collect() {
    const current = (await week.current())?.value;
    if (!current) return;
    // A strategy that stopped deciding leaves the week: its series ends rather than freezing.
    this.reset();
    for (const [strategy, ratio] of current.successRatios) this.set({ strategy }, ratio);
  },
});

new Gauge({
  name: 'auditgraph_api_payloads_storage_bytes',
  help: 'On-disk size of api_payloads with its TOAST and indexes (pg_total_relation_size).',
  registers: [metricsRegistry],
  async collect() {
    const current = (await week.current())?.value;
    if (current) this.set(current.payloadBytes);
  },
});
