import { UNITS_PER_ONE, unitsToJsonNumberString } from './fixed-point';
import type { Random } from './random';
import { ACCOUNTS, type FetchTask, MODEL_VERSIONS, SECTORS } from './vocabulary';

/** A record an ingestion run fetched, as decisions refer to it. */
export type FetchedPayload = { id: number; symbol: string; price: number };

/** A decision as drawn, before its status and rationale are settled. */
export type Decision = {
  id: number;
  externalId: string;
  strategy: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantityUnits: number;
  orderType: string;
  limitUnits: number | null;
  priceUnits: number;
  atMs: number;
  correlationId: string;
};

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

/** Draws a decision of one of the task's strategies on the symbol of its first input. */
export function makeDecision(
  random: Random,
  task: FetchTask,
  primary: FetchedPayload,
  atMs: number,
  id: number,
): Decision {
  const strategy = random.pick(task.strategies);
  const priceUnits = Math.round(primary.price * UNITS_PER_ONE);
  const fractional = random.chance(0.15);
  const quantityUnits = fractional
    ? random.int(1_000, 500_000)
    : random.int(1, primary.price > 500 ? 40 : 400) * UNITS_PER_ONE;
  const limit = random.chance(0.3);
  return {
    id,
    strategy,
    symbol: primary.symbol,
    side: random.chance(0.7) ? 'buy' : 'sell',
    quantityUnits,
    priceUnits,
    atMs,
    externalId: `dec_${ymd(atMs)}_${id.toString(36)}_${random.hex(6)}`,
    orderType: limit ? 'limit' : 'market',
    limitUnits: limit ? Math.max(1, Math.round(priceUnits * (0.99 + random.float() * 0.02))) : null,
    correlationId: `intent-${random.hex(16)}`,
  };
}

/** The structured why a strategy records: signal, score, model version, source records. */
export function rationaleFor(random: Random, decision: Decision, inputs: FetchedPayload[]): Record<string, unknown> {
  const common = {
    score: Math.round((0.55 + random.float() * 0.45) * 1000) / 1000,
    model_version: MODEL_VERSIONS[decision.strategy],
    source_record_ids: inputs.map((input) => input.id),
  };
  // The price-driven models record the quote they decided on (their first input's price), as brokers
  // write prices, in a string: the reference execution quality measures a market order's slippage against.
  // The filing-driven ones act on a disclosure, not a quote, and record none. No draw: the stream is unchanged.
  const quoted = { reference_price: unitsToJsonNumberString(decision.priceUnits) };
  switch (decision.strategy) {
    case 'CongressionalTradingStrategy':
      return {
        signal: decision.side === 'buy' ? 'congress_buy' : 'congress_sell',
        ...common,
        filing_lag_days: random.int(3, 44),
        thresholds: { min_score: 0.6, max_filing_lag_days: 45 },
      };
    case 'InsiderMomentum_v2':
      return { signal: 'insider_cluster', ...common, insider_count: random.int(2, 6), window_days: 14 };
    case 'SectorRotationModel_v1':
      return {
        signal: 'sector_rotation',
        ...common,
        sector: random.pick(SECTORS),
        momentum_20d: Math.round((random.float() * 0.2 - 0.05) * 10_000) / 10_000,
        ...quoted,
      };
    default:
      return {
        signal: 'zscore_revert',
        ...common,
        zscore: Math.round((random.float() * 2 + 1.5) * (decision.side === 'buy' ? -100 : 100)) / 100,
        lookback_days: 20,
        ...quoted,
      };
  }
}

/** Each strategy trades in a handful of accounts of its own. */
export function accountFor(random: Random, strategy: string): string {
  const slot = Object.keys(MODEL_VERSIONS).indexOf(strategy);
  return ACCOUNTS[(slot * 6 + random.int(0, 5)) % ACCOUNTS.length]!;
}
