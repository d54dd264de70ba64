import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import { DateTime } from '../graphql/date-time.scalar';
import type { Instant } from '../time/instant';
import type { Context } from './context';
import { ExecutionStatus } from '../entities/trade-execution.entity';
import { RECORDED_STATUS, STATUS_AS_OF, STATUS_AS_OF_AT, statusAsOf } from './status-as-of';
import { writtenValueOf } from '../queries/read-model';
import { ApiPayload, Position, TradeDecision, TradeExecution } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { AuditEventConnection, TradeExecutionConnection } from './types/connections';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import { AuditEventOrder, TradeExecutionOrder, ORDER_BY_DESCRIPTION } from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { AuditEventWhere, TradeExecutionWhere } from './where/list-wheres';
import { lookupReadingAhead, pageReadingAhead } from '../loaders/read-ahead';
import { TradeExecutionFilter, tradeExecutionWhere } from './filters/trade-execution.filter';

@Authorized(Permission.readLineage)
@Resolver(() => TradeExecution)
export class TradeExecutionResolver {
  @Query(() => TradeExecution, {
    nullable: true,
    description: 'One execution by global `id` or external `executionId`; null when unknown.',
  })
  execution(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('executionId', () => String, { nullable: true }) executionId: string | null,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TradeExecution | null> {
    const [key, value] = exactlyOne({ id, executionId });
    return key === 'id'
      ? lookupReadingAhead(
          loaders,
          info,
          'TradeExecution',
          'id',
          fromGlobalId(value, 'id', 'TradeExecution').databaseId,
        )
      : lookupReadingAhead(loaders, info, 'TradeExecution', 'executionId', value);
  }

  @Query(() => TradeExecutionConnection, { description: 'Trade executions, newest first.' })
  async executions(
    @Arg('filter', () => TradeExecutionFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: TradeExecutionFilter | null,
    @Arg('where', () => TradeExecutionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeExecutionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const filtered = tradeExecutionWhere(filter);
    const found = await findPage(
      context.em,
      {
        where: { tree: where, argument: 'where' },
        entity: TradeExecution,
        typeName: 'TradeExecution',
        filter: filtered,
        status: filter?.status,
        order: { orders: LIST_ORDERS.TradeExecution, name: orderBy },
      },
      page,
    );
    return pageReadingAhead(context, info, 'TradeExecution', found);
  }

  @FieldResolver(() => TradeDecision, { nullable: true, description: 'The decision this execution carried out.' })
  decision(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<TradeDecision | null> | null {
    return loaders.one('TradeExecution', 'decision').load(execution);
  }

  @FieldResolver(() => ApiPayload, { nullable: true, description: 'The order as sent to the broker (REQUESTED).' })
  requestPayload(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<ApiPayload | null> | null {
    return loaders.one('TradeExecution', 'requestPayload').load(execution);
  }

  @FieldResolver(() => ApiPayload, { nullable: true, description: "The broker's answer (RESPONDED)." })
  responsePayload(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<ApiPayload | null> | null {
    return loaders.one('TradeExecution', 'responsePayload').load(execution);
  }

  @FieldResolver(() => Position, {
    nullable: true,
    description: 'The position this execution built (BUILT); null when nothing filled.',
  })
  position(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<Position | null> | null {
    return loaders.one('TradeExecution', 'position').load(execution);
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this execution (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() execution: TradeExecution,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.events('TradeExecution').load(execution.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => ExecutionStatus, { nullable: true, description: STATUS_AS_OF })
  statusAsOf(
    @Root() execution: TradeExecution,
    @Arg('at', () => DateTime, { description: STATUS_AS_OF_AT }) at: Instant,
    @Ctx() context: Context,
  ): Promise<ExecutionStatus | null> {
    return statusAsOf<ExecutionStatus>(context, 'TradeExecution', execution.id, at);
  }

  @FieldResolver(() => ExecutionStatus, { description: RECORDED_STATUS })
  recordedStatus(@Root() execution: TradeExecution): ExecutionStatus {
    return writtenValueOf(execution, 'status');
  }
}
