import { Arg, Authorized, Ctx, Extensions, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { AGGREGATE_COST, MAX_GROUPS, SCAN_COST } from '../graphql/aggregate-limits';
import { aggregate } from '../queries/aggregate/aggregate';
import { AGGREGATE_FAMILIES, type AggregateFamilyName } from '../queries/aggregate/aggregate-families';
import type { WhereTree } from '../queries/where-conditions';
import { timeZoneOf } from '../time/time-zone';
import { TimeZone } from '../graphql/time-zone.scalar';
import { aggregateTypesOf } from './types/aggregate.types';
import { ApiPayloadWhere, AuditEventWhere, TradeDecisionWhere, TradeExecutionWhere } from './where/list-wheres';

const decisions = aggregateTypesOf('TradeDecision');
const executions = aggregateTypesOf('TradeExecution');
const payloads = aggregateTypesOf('ApiPayload');
const events = aggregateTypesOf('AuditEvent');

const describe = (records: string, list: string) =>
  `${records} grouped by the keys of \`groupBy\` (none: one group of them all), each group with its count and ` +
  'sum/avg/min/max of its measures, ordered by the keys (text byte by byte, nulls last). ' +
  `\`where\` is \`${list}\`'s, so a group's count is ${list}'s totalCount under that where and those keys. ` +
  `One statement, grouped in PostgreSQL; more than ${MAX_GROUPS.toLocaleString('en')} groups is refused ` +
  `(RESULT_TOO_LARGE). Priced at ${AGGREGATE_COST.toLocaleString('en')} objects by the query-cost limit, ` +
  'as a totalCount is, plus its groups.';

const groupByArgument = (records: string) => ({
  defaultValue: [],
  description: `The keys to group ${records} by, each at most once; [] makes one group.`,
});
const timeZoneArgument = {
  nullable: true,
  description:
    'The IANA time zone of the DAY, WEEK and MONTH buckets, e.g. America/New_York (a day there may last 23 or 25 ' +
    'hours); UTC when absent. An unknown name is refused with BAD_USER_INPUT.',
} as const;

/** Read by the query-cost limit: an aggregate reads what a count reads. */
const priced = { [SCAN_COST]: AGGREGATE_COST };

type Args = { where: WhereTree | null; groupBy: string[]; timeZone: string | null };

/** Runs one family's aggregate and shapes its groups as the family's Group type. */
async function groups(name: AggregateFamilyName, { em }: Context, { where, groupBy, timeZone }: Args) {
  const zone = timeZoneOf(timeZone, 'timeZone');
  const found = await aggregate(em, AGGREGATE_FAMILIES[name], name, { where, groupBy, timeZone: zone });
  return found.map(({ keys, count, measures }) => ({ keys, count, ...measures }));
}

/** The aggregates of issue 18: thin; the SQL is src/queries/aggregate/aggregate.ts. */
@Authorized(Permission.readLineage)
@Resolver()
export class AggregateResolver {
  @Extensions(priced)
  @Query(() => [decisions.Group], { description: describe('Trade decisions', 'decisions') })
  decisionsAggregate(
    @Arg('where', () => TradeDecisionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('groupBy', () => [decisions.GroupBy], groupByArgument('decisions')) groupBy: string[],
    @Arg('timeZone', () => TimeZone, timeZoneArgument) timeZone: string | null,
    @Ctx() context: Context,
  ) {
    return groups('TradeDecision', context, { where, groupBy, timeZone });
  }

  @Extensions(priced)
  @Query(() => [executions.Group], { description: describe('Trade executions', 'executions') })
  executionsAggregate(
    @Arg('where', () => TradeExecutionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('groupBy', () => [executions.GroupBy], groupByArgument('executions')) groupBy: string[],
    @Arg('timeZone', () => TimeZone, timeZoneArgument) timeZone: string | null,
    @Ctx() context: Context,
  ) {
    return groups('TradeExecution', context, { where, groupBy, timeZone });
  }

  @Extensions(priced)
  @Query(() => [payloads.Group], { description: describe('API payloads', 'apiPayloads') })
  apiPayloadsAggregate(
    @Arg('where', () => ApiPayloadWhere, { nullable: true }) where: WhereTree | null,
    @Arg('groupBy', () => [payloads.GroupBy], groupByArgument('API payloads')) groupBy: string[],
    @Arg('timeZone', () => TimeZone, timeZoneArgument) timeZone: string | null,
    @Ctx() context: Context,
  ) {
    return groups('ApiPayload', context, { where, groupBy, timeZone });
  }

  @Extensions(priced)
  @Query(() => [events.Group], { description: describe('Audit events', 'auditEvents') })
  auditEventsAggregate(
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('groupBy', () => [events.GroupBy], groupByArgument('audit events')) groupBy: string[],
    @Arg('timeZone', () => TimeZone, timeZoneArgument) timeZone: string | null,
    @Ctx() context: Context,
  ) {
    return groups('AuditEvent', context, { where, groupBy, timeZone });
  }
}
