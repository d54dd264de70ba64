import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Int, ObjectType } from 'type-graphql';
import { Decimal } from '../graphql/decimal.scalar';
import { jsonPriceSql, roundedQuotientSql } from '../sql/exact-numeric';
import { daysPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';

/** Where a fill's reference price came from, in the order they are tried, with the field that counts it. */
const REFERENCE_COUNTS = {
  limitPrice: 'referenceFromLimitPrice',
  rationale: 'referenceFromRationale',
  request: 'referenceFromRequest',
  none: 'withoutReference',
} as const;

@ObjectType({
  description:
    'One latency in milliseconds (3 decimals: microseconds), over the executions that have both timestamps. ' +
    'Percentiles are nearest-rank (a value that occurred, never interpolated); all null when none was measured.',
})
export class LatencySummary {
  @Field(() => Int, { description: 'Executions this latency was measured on.' }) measured!: number;
  @Field(() => Decimal, { nullable: true }) p50!: string | null;
  @Field(() => Decimal, { nullable: true }) p95!: string | null;
  @Field(() => Decimal, { nullable: true }) max!: string | null;
}

@ObjectType({
  description:
    "Execution quality of one strategy's orders in one symbol: latencies and slippage. Slippage compares a fill's " +
    'price with its reference price and is signed so that positive is worse for the trader (a buy filled above, ' +
    "a sell below); the reference is the first of: the decision's `limitPrice`, `reference_price` in its " +
    'rationale, `limit_price` in the broker request. Fills with none (or whose side is unknown) have no slippage.',
})
export class ExecutionQuality {
  @Field(() => String, { nullable: true, description: 'Null for executions that have no decision.' })
  strategy!: string | null;
  @Field({ description: "The decision's symbol, else the one the broker request names, else (unknown)." })
  symbol!: string;
  @Field(() => Int, { description: 'Executions created in the period.' }) executions!: number;
  @Field(() => Int, { description: 'Of those, executions that filled something.' }) fills!: number;
  @Field(() => Int, { description: "Fills priced against their decision's limit price." })
  referenceFromLimitPrice!: number;
  @Field(() => Int, { description: "Fills priced against the rationale's `reference_price`." })
  referenceFromRationale!: number;
  @Field(() => Int, { description: "Fills priced against the broker request's `limit_price`." })
  referenceFromRequest!: number;
  @Field(() => Int, { description: 'Fills with no reference price (or no fill price, or no known side).' })
  withoutReference!: number;
  @Field(() => LatencySummary, {
    description: "Decision → order: the decision's creation to the execution's submission.",
  })
  decisionLatency!: LatencySummary;
  @Field(() => LatencySummary, {
    description: "Broker round trip: the response's `latencyMs`, else its record's time less the request's.",
  })
  brokerLatency!: LatencySummary;
  @Field(() => LatencySummary, { description: 'Submission → fill, on fills.' }) fillLatency!: LatencySummary;
  @Field(() => Decimal, {
    nullable: true,
    description:
      'Σ slippage × filled quantity over priced fills, exact, trailing zeros trimmed: what slippage cost in money (negative: saved).',
  })
  slippageCost!: string | null;
  @Field(() => Decimal, {
    nullable: true,
    description:
      'Slippage per unit, weighted by filled quantity (cost ÷ quantity), rounded half away from zero to 8 decimals.',
  })
  averageSlippage!: string | null;
  @Field(() => Decimal, {
    nullable: true,
    description:
      'Slippage in basis points of the reference notional (cost ÷ Σ reference × quantity × 10,000), rounded half away from zero to 2 decimals.',
  })
  slippageBps!: string | null;
  @Field(() => Decimal, {
    nullable: true,
    description: "The worst single fill's slippage in basis points of its reference, rounded as slippageBps.",
  })
  worstSlippageBps!: string | null;
}

const LATENCIES = { decisionLatency: 'decision_ms', brokerLatency: 'broker_ms', fillLatency: 'fill_ms' } as const;

/** Milliseconds between two timestamps, exact to the microsecond. */
const millisecondsSql = (later: string, earlier: string) =>
  `round(extract(epoch from (${later} - ${earlier})) * 1000, 3)`;

const latencySelects = Object.entries(LATENCIES)
  .map(
    ([field, column]) => `json_build_object(
      'measured', count(${column}),
      'p50', (percentile_disc(0.5) within group (order by ${column}))::text,
      'p95', (percentile_disc(0.95) within group (order by ${column}))::text,
      'max', max(${column})::text) as "${field}"`,
  )
  .join(',\n');

const sourceCounts = Object.entries(REFERENCE_COUNTS)
  .map(([source, field]) => `count(*) filter (where source = '${source}')::int as "${field}"`)
  .join(',\n');

// A priced fill's slippage per unit, signed by side; its cost; its reference notional.
const COST = 'slippage * quantity';
const NOTIONAL = 'reference * quantity';

/**
 * One statement over the executions created in the period (the
 * `(created_at, id)` index), each joined to its decision and broker payloads
 * by primary key, grouped by strategy and symbol.
 */
const EXECUTION_QUALITY_SQL = `
with orders as (
  select d.strategy,
         coalesce(d.symbol, request.payload ->> 'symbol', '(unknown)') as symbol,
         coalesce(d.side, request.payload ->> 'side') as side,
         e.filled_quantity > 0 as filled, e.filled_quantity as quantity, e.fill_price,
         d.limit_price, ${jsonPriceSql("d.decision_rationale -> 'reference_price'")} as rationale_price,
         ${jsonPriceSql("request.payload -> 'limit_price'")} as request_price,
         ${millisecondsSql('coalesce(e.submitted_at, e.created_at)', 'd.created_at')} as decision_ms,
         coalesce(round(response.latency_ms, 3), ${millisecondsSql('response.created_at', 'request.created_at')})
           as broker_ms,
         case when e.filled_quantity > 0 then ${millisecondsSql('e.filled_at', 'e.submitted_at')} end as fill_ms
    from trade_executions e
    left join trade_decisions d on d.id = e.trade_decision_id
    left join api_payloads request on request.id = e.api_request_payload_id
    left join api_payloads response on response.id = e.api_response_payload_id
   where e.created_at >= ? and e.created_at < ?
), referenced as (
  select *, case
      when not filled then null
      when fill_price is null or side is null or side not in ('buy', 'sell') then 'none'
      when limit_price is not null then 'limitPrice'
      when rationale_price is not null then 'rationale'
      when request_price is not null then 'request'
      else 'none' end as source
    from orders
), priced as (
  select *, case when source <> 'none' then
      case side when 'buy' then fill_price - reference else reference - fill_price end end as slippage
    from (select *, case source when 'limitPrice' then limit_price when 'rationale' then rationale_price
                                 when 'request' then request_price end as reference
            from referenced) r
)
select strategy, symbol, count(*)::int as executions, count(*) filter (where filled)::int as fills,
       ${sourceCounts},
       ${latencySelects},
       trim_scale(sum(${COST}))::text as "slippageCost",
       ${roundedQuotientSql(`sum(${COST})`, 'sum(quantity) filter (where slippage is not null)', 8)}::text
         as "averageSlippage",
       ${roundedQuotientSql(`sum(${COST}) * 10000`, `sum(${NOTIONAL})`, 2)}::text as "slippageBps",
       max(${roundedQuotientSql('slippage * 10000', 'reference', 2)})::text as "worstSlippageBps"
  from priced
 group by strategy, symbol
 order by strategy nulls last, symbol`;

/** Latency and slippage per strategy and symbol, for executions created from `from` to `to` (UTC days, included). */
export async function executionQuality(
  em: EntityManager,
  params: { from: string; to: string; timeZone?: string | null },
): Promise<ExecutionQuality[]> {
  const { from, until } = daysPeriod(params.from, params.to, timeZoneOf(params.timeZone, 'timeZone'));
  return em.getConnection().execute<ExecutionQuality[]>(EXECUTION_QUALITY_SQL, [from, until]);
}
