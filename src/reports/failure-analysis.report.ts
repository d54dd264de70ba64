import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Int, ObjectType } from 'type-graphql';
import { daysPeriod } from './period';
import { timeZoneOf } from '../time/time-zone';
import { hasTerminalStatusSql } from '../queries/current-status';

/**
 * The known rejection causes of the operations guide, matched on the broker's
 * error message; anything else is `other`, with its raw message counted.
 */
export const FAILURE_REASONS = [
  'insufficient buying power',
  'rate limit',
  'market closed',
  'invalid symbol',
  'other',
] as const;
const reasonOf = (message: string) => `case
    when ${message} ilike '%insufficient buying power%' then 'insufficient buying power'
    when ${message} ilike '%rate limit%' then 'rate limit'
    when ${message} ilike '%market is closed%' or ${message} ilike '%market closed%' then 'market closed'
    when ${message} ilike '%invalid symbol%' then 'invalid symbol'
    else 'other' end`;

/** A symbol failing this often in the period is named as failing repeatedly. */
export const REPEATED_FAILURES = 3;

@ObjectType()
export class FailureCount {
  @Field({ description: 'The reason, strategy, symbol or raw message counted.' }) key!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'Rejected executions in the period, grouped every way the runbook asks.' })
export class FailureAnalysis {
  @Field(() => Int) total!: number;
  @Field(() => [FailureCount], { description: 'Every known reason and `other`, most frequent first.' })
  byReason!: FailureCount[];
  @Field(() => [FailureCount], { description: 'The raw messages counted under `other`.' })
  otherMessages!: FailureCount[];
  @Field(() => [FailureCount]) byStrategy!: FailureCount[];
  @Field(() => [FailureCount], {
    description: "By the symbol sent to the broker (the request body), else the decision's.",
  })
  bySymbol!: FailureCount[];
  @Field(() => [String], { description: `Symbols with at least ${REPEATED_FAILURES} failures in the period.` })
  repeatedlyFailingSymbols!: string[];
}

type Row = {
  total: number;
  by_reason: FailureCount[];
  other_messages: FailureCount[];
  by_strategy: FailureCount[];
  by_symbol: FailureCount[];
};

const counted = (expression: string, where = 'true') =>
  `(select coalesce(json_agg(json_build_object('key', key, 'count', n) order by n desc, key), '[]')
      from (select ${expression} as key, count(*)::int as n from failures where ${where} group by 1) grouped)`;

/** One statement: rejected executions by `(status, created_at)`, their decision and request body by primary key. */
export async function failureAnalysis(
  em: EntityManager,
  params: { from: string; to: string; timeZone?: string | null },
): Promise<FailureAnalysis> {
  const { from, until } = daysPeriod(params.from, params.to, timeZoneOf(params.timeZone, 'timeZone'));
  const [row] = await em.getConnection().execute<Row[]>(
    `with failures as materialized (
       select ${reasonOf("coalesce(e.error_message, '')")} as reason,
              coalesce(e.error_message, '(no message)') as message,
              coalesce(d.strategy, '(no decision)') as strategy,
              coalesce(request.payload ->> 'symbol', d.symbol, '(unknown)') as symbol
         from trade_executions e
         left join trade_decisions d on d.id = e.trade_decision_id
         left join api_payloads request on request.id = e.api_request_payload_id
        where ${hasTerminalStatusSql('trade_executions', 'e', 'rejected')} and e.created_at >= ? and e.created_at < ?)
     select (select count(*)::int from failures) as total,
            ${counted('reason')} as by_reason,
            ${counted('message', "reason = 'other'")} as other_messages,
            ${counted('strategy')} as by_strategy,
            ${counted('symbol')} as by_symbol`,
    [from, until],
  );
  const seen = new Map(row!.by_reason.map((entry) => [entry.key, entry.count]));
  const byReason = FAILURE_REASONS.map((key) => ({ key, count: seen.get(key) ?? 0 })).sort(
    (a, b) => b.count - a.count || a.key.localeCompare(b.key),
  );
  return {
    total: row!.total,
    byReason,
    otherMessages: row!.other_messages,
    byStrategy: row!.by_strategy,
    bySymbol: row!.by_symbol,
    repeatedlyFailingSymbols: row!.by_symbol
      .filter((entry) => entry.count >= REPEATED_FAILURES)
      .map((entry) => entry.key),
  };
}
