import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Int, ObjectType } from 'type-graphql';
import { TradeDecision, TradeExecution } from '../entities';
import { BadInputError } from '../base/errors';
import { Decimal } from '../graphql/decimal.scalar';
import { daysPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';
import { readModels } from '../queries/read-model';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantFromDatabase } from '../time/instant';

export const DEFAULT_SYMBOL_REPORT_LIMIT = 1000;
export const MAX_SYMBOL_REPORT_LIMIT = 10_000;

@ObjectType({ description: 'One fill that changed a position, with the quantity it left.' })
export class PositionChange {
  @Field(() => DateTime) time!: Instant;
  @Field() positionDatabaseId!: string;
  @Field() account!: string;
  @Field() executionId!: string;
  @Field(() => Decimal, { description: 'Signed: buys add, sells subtract.' }) change!: string;
  @Field(() => Decimal, { description: "The position's quantity after this fill." }) quantityAfter!: string;
}

@ObjectType({ description: 'Everything that happened to one symbol in the period, oldest first.' })
export class SymbolReport {
  @Field() symbol!: string;
  @Field(() => [TradeDecision]) decisions!: TradeDecision[];
  @Field(() => [TradeExecution], { description: "Executions of the period's decisions for the symbol." })
  executions!: TradeExecution[];
  @Field(() => [PositionChange]) positionChanges!: PositionChange[];
  @Field(() => Int) limit!: number;
  @Field({ description: 'A list reached `limit`: narrow the period to see the rest.' }) truncated!: boolean;
}

type ChangeRow = Omit<PositionChange, 'time'> & { time: string };

/**
 * Three statements: decisions on `(symbol, created_at)`, their executions on
 * the decision foreign key, and the fills of the symbol's positions with a
 * running quantity per position (`positions (symbol, opened_at)`).
 */
export async function symbolReport(
  em: EntityManager,
  params: { symbol: string; from: string; to: string; limit?: number | null; timeZone?: string | null },
): Promise<SymbolReport> {
  const symbol = params.symbol.trim().toUpperCase();
  if (!/^[A-Z0-9.-]{1,15}$/.test(symbol))
    throw new BadInputError('`symbol` must be a ticker such as NVDA or BRK.B', 'symbol');
  const limit = params.limit ?? DEFAULT_SYMBOL_REPORT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SYMBOL_REPORT_LIMIT) {
    throw new BadInputError(`\`limit\` must be from 1 to ${MAX_SYMBOL_REPORT_LIMIT}`, 'limit');
  }
  const { from, until } = daysPeriod(params.from, params.to, timeZoneOf(params.timeZone, 'timeZone'));
  const period = { $gte: from, $lt: until };
  const [decisions, executions, changes] = await Promise.all([
    readModels(em, TradeDecision, (qb) =>
      qb
        .where({ symbol, createdAt: period })
        .orderBy({ createdAt: 'asc', id: 'asc' })
        .limit(limit + 1),
    ),
    readModels(em, TradeExecution, (qb) =>
      qb
        .where({ tradeDecision: { symbol, createdAt: period } })
        .orderBy({ createdAt: 'asc', id: 'asc' })
        .limit(limit + 1),
    ),
    em.getConnection().execute<ChangeRow[]>(
      `select time, "positionDatabaseId", account, "executionId", change, "quantityAfter" from (
         select e.filled_at as time, p.id::text as "positionDatabaseId", p.account,
                e.execution_id as "executionId", e.id,
                case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end as change,
                sum(case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end)
                  over (partition by p.id order by e.filled_at, e.id) as "quantityAfter"
           from positions p
           join trade_executions e on e.position_id = p.id and e.filled_quantity > 0
           left join trade_decisions d on d.id = e.trade_decision_id
          where p.symbol = ? and p.opened_at < ? and (p.closed_at is null or p.closed_at >= ?)
       ) fills
       where time >= ? and time < ?
       order by time, id
       limit ${limit + 1}`,
      [symbol, until, from, from, until],
    ),
  ]);
  const truncated = decisions.length > limit || executions.length > limit || changes.length > limit;
  return {
    symbol,
    decisions: decisions.slice(0, limit),
    executions: executions.slice(0, limit),
    positionChanges: changes.slice(0, limit).map((row) => ({ ...row, time: instantFromDatabase(row.time) })),
    limit,
    truncated,
  };
}
