import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, ObjectType } from 'type-graphql';
import { Decimal } from '../graphql/decimal.scalar';
import { TradeSide } from '../entities/trade-decision.entity';
import { dayPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantFromDatabase } from '../time/instant';

@ObjectType({ description: 'One fill on the daily trade blotter.' })
export class BlotterLine {
  @Field(() => DateTime, { description: 'When the broker filled it.' }) time!: Instant;
  @Field() executionId!: string;
  @Field() symbol!: string;
  @Field(() => TradeSide, { nullable: true }) side!: TradeSide | null;
  @Field(() => Decimal) quantity!: string;
  @Field(() => Decimal) price!: string;
  @Field(() => Decimal, { nullable: true }) commission!: string | null;
  @Field(() => String, { nullable: true, description: "The broker the order went to (its request's provider)." })
  broker!: string | null;
  @Field(() => String, { nullable: true }) brokerOrderId!: string | null;
  @Field(() => String, { nullable: true, description: 'Null for a fill with no decision (an integrity finding).' })
  strategy!: string | null;
}

/** The blotter's columns, in order, for CSV and tables. */
export const BLOTTER_COLUMNS = [
  'time',
  'executionId',
  'symbol',
  'side',
  'quantity',
  'price',
  'commission',
  'broker',
  'brokerOrderId',
  'strategy',
] as const;

type Row = Omit<BlotterLine, 'time'> & { time: string };

/**
 * Every fill of one day (UTC unless a time zone is given), in time order, including fills whose decision
 * link is missing; one statement on the `filled_at` index.
 */
export async function tradeBlotter(
  em: EntityManager,
  params: { date: string; timeZone?: string | null },
): Promise<BlotterLine[]> {
  const { from, until } = dayPeriod(params.date, 'date', timeZoneOf(params.timeZone, 'timeZone'));
  const rows = await em.getConnection().execute<Row[]>(
    `select e.filled_at as time, e.execution_id as "executionId",
            coalesce(d.symbol, request.payload ->> 'symbol', '(unknown)') as symbol,
            coalesce(d.side, request.payload ->> 'side') as side, e.filled_quantity as quantity, e.fill_price as price,
            e.commission, request.provider as broker, e.broker_order_id as "brokerOrderId", d.strategy
       from trade_executions e
       left join trade_decisions d on d.id = e.trade_decision_id
       left join api_payloads request on request.id = e.api_request_payload_id
      where e.filled_at >= ? and e.filled_at < ? and e.filled_quantity > 0
      order by e.filled_at, e.id`,
    [from, until],
  );
  return rows.map((row) => ({ ...row, time: instantFromDatabase(row.time) }));
}
