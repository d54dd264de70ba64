import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from '../context';
import { ApiPayload, Position, TradeDecision, TradeExecution } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { AuditEventConnection, TradeExecutionConnection } from '../graphql/connections';
import { findPage } from '../graphql/pagination/find-page';
import { lookupWithLineage, withLineageBelow } from '../loaders/lineage.prefetch';
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
      ? lookupWithLineage(loaders, info, 'TradeExecution', 'id', fromGlobalId(value, 'id', 'TradeExecution').databaseId)
      : lookupWithLineage(loaders, info, 'TradeExecution', 'executionId', value);
  }

  @Query(() => TradeExecutionConnection, { description: 'Trade executions, newest first.' })
  async executions(
    @Arg('filter', () => TradeExecutionFilter, { nullable: true }) filter: TradeExecutionFilter | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const where = tradeExecutionWhere(filter);
    const found = await findPage(
      context.em,
      {
        entity: TradeExecution,
        typeName: 'TradeExecution',
        filter: where,
        status: filter?.status,
        sortProperty: 'createdAt',
      },
      page,
    );
    return withLineageBelow(context, info, 'TradeExecution', found);
  }

  @FieldResolver(() => TradeDecision, { nullable: true, description: 'The decision this execution carried out.' })
  decision(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<TradeDecision | null> | null {
    return execution.tradeDecision ? loaders.decisionById.load(execution.tradeDecision.id) : null;
  }

  @FieldResolver(() => ApiPayload, { nullable: true, description: 'The order as sent to the broker (REQUESTED).' })
  requestPayload(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<ApiPayload | null> | null {
    return execution.apiRequestPayload ? loaders.payloadById.load(execution.apiRequestPayload.id) : null;
  }

  @FieldResolver(() => ApiPayload, { nullable: true, description: "The broker's answer (RESPONDED)." })
  responsePayload(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<ApiPayload | null> | null {
    return execution.apiResponsePayload ? loaders.payloadById.load(execution.apiResponsePayload.id) : null;
  }

  @FieldResolver(() => Position, {
    nullable: true,
    description: 'The position this execution built (BUILT); null when nothing filled.',
  })
  position(@Root() execution: TradeExecution, @Ctx() { loaders }: Context): Promise<Position | null> | null {
    return execution.position ? loaders.positionById.load(execution.position.id) : null;
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this execution (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() execution: TradeExecution,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.eventsOfExecution.load(execution.id, page);
  }
}
