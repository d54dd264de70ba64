import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BadInputError } from '../base/errors';
import type { NodeType } from '../lineage/node-types';
import type { Period } from './period';
import { currentStatusSql, hasTerminalStatusSql } from '../queries/current-status';
import {
  emptyRationaleSql,
  missingEitherPayloadSql,
  missingPayloadSql,
  multipleExecutionsSql,
  severalExecutionsSql,
  stalePendingSql,
} from '../queries/integrity-predicates';
import { positionLotsByPositionSql } from '../sql/position-lot';
import { unattestedDays } from '../attestation/unattested-days';
import { DateTime } from '../graphql/date-time.scalar';
import { earlierOf, type Instant, instantOf } from '../time/instant';

/** The quarterly audit's checks, in the order the operations guide lists them. */
export enum IntegrityCheck {
  DECISION_WITHOUT_RATIONALE = 'DECISION_WITHOUT_RATIONALE',
  EXECUTION_MISSING_PAYLOAD = 'EXECUTION_MISSING_PAYLOAD',
  EXECUTION_WITHOUT_DECISION = 'EXECUTION_WITHOUT_DECISION',
  DUPLICATE_EXECUTIONS = 'DUPLICATE_EXECUTIONS',
  STALE_PENDING_DECISION = 'STALE_PENDING_DECISION',
  EXECUTED_WITHOUT_FILL = 'EXECUTED_WITHOUT_FILL',
  POSITION_QUANTITY_MISMATCH = 'POSITION_QUANTITY_MISMATCH',
  UNREFERENCED_PAYLOAD = 'UNREFERENCED_PAYLOAD',
}
registerEnumType(IntegrityCheck, { name: 'IntegrityCheck' });

export const DEFAULT_FINDINGS_LIMIT = 100;
const CHECK_CONCURRENCY = 2;
export const MAX_FINDINGS_LIMIT = 10_000;

@ObjectType({ description: 'One record a check flagged.' })
export class IntegrityItem {
  @Field(() => String, { description: 'The node type of the record.' }) type!: NodeType;
  @Field(() => ID, { description: 'Its row id; `node` is the record itself, one hop into the lineage.' })
  databaseId!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Its external id (decision, execution or run id), when it has one.',
  })
  externalId!: string | null;
  @Field({ description: 'What is wrong, in a few words.' }) detail!: string;
}

@ObjectType({ description: 'What one check found.' })
export class IntegrityFinding {
  @Field(() => IntegrityCheck) check!: IntegrityCheck;
  @Field() description!: string;
  @Field(() => Int, { description: 'Every record flagged, however many `items` shows.' }) count!: number;
  @Field(() => [IntegrityItem], { description: 'The first `limit` of them, oldest first.' }) items!: IntegrityItem[];
}

@ObjectType({ description: 'The quarterly data-integrity audit over records created in the period.' })
export class IntegrityReport {
  @Field(() => DateTime) from!: Instant;
  @Field(() => DateTime, { description: 'End of the period (exclusive); 10000-01-01T00:00:00.000000Z after 9999Q4.' })
  until!: Instant;
  @Field({ description: 'No check found anything.' }) clean!: boolean;
  @Field(() => Int) totalFindings!: number;
  @Field(() => [IntegrityFinding], { description: 'Every check, in a fixed order, clean ones included.' })
  findings!: IntegrityFinding[];
  @Field(() => Int, {
    description: 'Ended UTC days of the period, from the first recorded event on, that no one has attested.',
  })
  unattestedDayCount!: number;
  @Field(() => [String], { description: 'The first `limit` of them, oldest first (YYYY-MM-DD).' })
  unattestedDays!: string[];
}

/**
 * Each check is one statement returning the flagged rows oldest first with
 * the full count beside them (`count(*) over ()`), so a limit never hides how
 * many there are. `:from`/`:until` bound the records' creation; `:as_of` is
 * the end of the period or now, whichever is earlier. The conditions on one
 * record are src/queries/integrity-predicates.ts, which the lists' `where:`
 * filters share: a filter finds what a check counts.
 */
const CHECKS: Record<IntegrityCheck, { description: string; sql: string }> = {
  DECISION_WITHOUT_RATIONALE: {
    description: 'Decisions recorded without a rationale (null or empty).',
    sql: `select 'TradeDecision' as type, id, decision_id as external_id,
                 ${currentStatusSql('trade_decisions', 'd')} || ' ' || strategy || ' ' || symbol as detail,
                 created_at as at
            from trade_decisions d
           where ${emptyRationaleSql('d')} and created_at >= :from and created_at < :until`,
  },
  EXECUTION_MISSING_PAYLOAD: {
    description: 'Executions missing their broker request or response payload.',
    sql: `select 'TradeExecution' as type, id, execution_id as external_id,
                 concat_ws(' and ', case when ${missingPayloadSql('e', 'request')} then 'no request payload' end,
                                    case when ${missingPayloadSql('e', 'response')} then 'no response payload' end)
                   as detail,
                 created_at as at
            from trade_executions e
           where ${missingEitherPayloadSql('e')} and created_at >= :from and created_at < :until`,
  },
  EXECUTION_WITHOUT_DECISION: {
    description: 'Executions that no decision ordered.',
    sql: `select 'TradeExecution' as type, id, execution_id as external_id,
                 ${currentStatusSql('trade_executions', 'e')} || ' execution with no decision' as detail,
                 created_at as at
            from trade_executions e
           where trade_decision_id is null and created_at >= :from and created_at < :until`,
  },
  DUPLICATE_EXECUTIONS: {
    description:
      'Decisions carried out by more than one fill (duplicates): ' +
      'the two legs of one fill split at zero (one broker report) count once.',
    // Counted straight off the foreign-key index (sorted: a streaming aggregate); then only
    // the few duplicates are looked up. `offset 0` keeps that lookup a per-row index probe:
    // the planner, guessing a third of all decisions pass `having`, would scan them all.
    sql: `select 'TradeDecision' as type, d.id, d.decision_id as external_id,
                 dup.n || ' executions: ' || (select string_agg(e.execution_id, ', ' order by e.id)
                                                from trade_executions e where e.trade_decision_id = d.id) as detail,
                 d.created_at as at
            from (${severalExecutionsSql}) dup
            cross join lateral (select id, decision_id, created_at from trade_decisions
                                 where id = dup.trade_decision_id offset 0) d
           where d.created_at >= :from and d.created_at < :until
             and ${multipleExecutionsSql('d')}`,
  },
  STALE_PENDING_DECISION: {
    description: 'Decisions still pending more than a week after they were made.',
    sql: `select 'TradeDecision' as type, id, decision_id as external_id,
                 'pending since ' || to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' as detail,
                 created_at as at
            from trade_decisions d
           where ${stalePendingSql('trade_decisions', 'd', "least(:until::timestamptz, :as_of::timestamptz - interval '7 days')")}
             and created_at >= :from`,
  },
  EXECUTED_WITHOUT_FILL: {
    description: 'Decisions marked executed with no filled execution.',
    // Both sides index-only, from partial indexes: executed decisions, and the decisions filled executions point to.
    sql: `select 'TradeDecision' as type, d.id, d.decision_id as external_id, 'executed, but nothing filled' as detail,
                 d.created_at as at
            from trade_decisions d
           where ${hasTerminalStatusSql('trade_decisions', 'd', 'executed')}
             and d.created_at >= :from and d.created_at < :until
             and not exists (select 1 from trade_executions e
                              where e.trade_decision_id = d.id and e.filled_quantity > 0)`,
  },
  POSITION_QUANTITY_MISMATCH: {
    description:
      'Positions whose fills do not agree with them: ' +
      'an opening state (quantity, average cost) that is not its first fill, ' +
      'fills that go through zero or go on after it closed, or a quantity with no execution behind it.',
    // A position's quantity is derived from its fills (position-lot.ts), so what can disagree is the row
    // as written (the lot's opening state, as the trading log stated it) and the fills. One grouped
    // aggregate of every position's fills: a per-position lookup took twice as long on the demo data.
    sql: `select 'Position' as type, p.id, p.external_id, p.symbol || ' ' || p.account || ': ' || case
                   when lot.state is null then 'quantity ' || p.quantity || ' recorded, and no execution built it'
                   when lot.state[4] = 1
                   then 'its fills go through zero or go on after it closed (now ' || lot.state[1] || ')'
                   else 'opened at ' || p.quantity || coalesce(' @ ' || p.avg_cost, '')
                        || ' as recorded, its first fill is ' || lot.first_quantity || ' @ ' || lot.first_price
                 end as detail, p.opened_at as at
            from positions p
            left join (${positionLotsByPositionSql()}) lot on lot.position_id = p.id
           where p.opened_at >= :from and p.opened_at < :until
             and case when lot.state is null then p.quantity <> 0
                      else lot.state[4] = 1 or lot.first_quantity <> p.quantity
                           or lot.first_price is distinct from coalesce(p.avg_cost, lot.first_price) end`,
  },
  UNREFERENCED_PAYLOAD: {
    description:
      'API payloads nothing refers to: fetched by no run, fed no decision, sent or received by no execution.',
    sql: `select 'ApiPayload' as type, p.id, null as external_id,
                 p.direction || ' ' || p.provider || ' ' || p.endpoint as detail, p.created_at as at
            from api_payloads p
           where p.ingestion_run_id is null and p.created_at >= :from and p.created_at < :until
             and not exists (select 1 from decision_inputs i where i.api_payload_id = p.id)
             and not exists (select 1 from trade_executions e where e.api_request_payload_id = p.id)
             and not exists (select 1 from trade_executions e where e.api_response_payload_id = p.id)`,
  },
};

type Row = { type: NodeType; id: string; external_id: string | null; detail: string; total: string };

/** The statement of one check, as sent (named bindings `:from`, `:until`, `:as_of`, `:limit`). */
function integrityCheckSql(check: IntegrityCheck): string {
  // A materialized CTE: the check is planned for all its rows (it counts them all), not for the first `limit`.
  return `with flagged as materialized (${CHECKS[check].sql})
    select flagged.type, flagged.id::text as id, flagged.external_id, flagged.detail, count(*) over () as total
      from flagged order by flagged.at, flagged.id limit greatest(:limit, 1)`;
}

function integrityBindings(period: Period, limit: number) {
  const now = instantOf(new Date());
  return { from: period.from, until: period.until, as_of: earlierOf(period.until, now), limit };
}

/** Runs one check: its full count and its first `limit` records, oldest first. */
export async function runIntegrityCheck(
  em: EntityManager,
  check: IntegrityCheck,
  period: Period,
  limit: number,
): Promise<IntegrityFinding> {
  // Two checks run side by side (below), so each keeps to one core: parallel workers on top
  // would only oversubscribe a small server. `set local` ends with the transaction.
  const rows = await em
    .getConnection()
    .getKnex()
    .transaction(
      async (transaction) => {
        await transaction.raw('set local max_parallel_workers_per_gather = 0');
        return ((await transaction.raw(integrityCheckSql(check), integrityBindings(period, limit))) as { rows: Row[] })
          .rows;
      },
      { readOnly: true },
    );
  return {
    check,
    description: CHECKS[check].description,
    count: Number(rows[0]?.total ?? 0),
    items: rows
      .slice(0, limit)
      .map((row) => ({ type: row.type, databaseId: row.id, externalId: row.external_id, detail: row.detail })),
  };
}

/** Runs every check over the period; `limit` caps the items listed per check, never the counts. */
export async function integrityReport(
  em: EntityManager,
  period: Period,
  options: { limit?: number | null } = {},
): Promise<IntegrityReport> {
  const limit = options.limit ?? DEFAULT_FINDINGS_LIMIT;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_FINDINGS_LIMIT) {
    throw new BadInputError(`\`limit\` must be from 0 to ${MAX_FINDINGS_LIMIT}`, 'limit');
  }
  // Two checks at a time, each on its own pooled connection: the heavy ones are CPU-bound
  // aggregates, and two overlap well on a small server without starving the gateway.
  const checks = Object.values(IntegrityCheck);
  const findings: IntegrityFinding[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < checks.length; index = next++)
      findings[index] = await runIntegrityCheck(em, checks[index]!, period, limit);
  };
  const [unattested] = await Promise.all([
    unattestedDays(em, period, limit),
    ...Array.from({ length: CHECK_CONCURRENCY }, worker),
  ]);
  const totalFindings = findings.reduce((sum, finding) => sum + finding.count, 0);
  return {
    from: period.from,
    until: period.until,
    clean: totalFindings === 0,
    totalFindings,
    findings,
    unattestedDayCount: unattested.count,
    unattestedDays: unattested.days,
  };
}
