import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import { DateTime } from '../graphql/date-time.scalar';
import type { Instant } from '../time/instant';
import type { Context } from './context';
import { DecisionStatus } from '../entities/trade-decision.entity';
import { RECORDED_STATUS, STATUS_AS_OF, STATUS_AS_OF_AT, statusAsOf } from './status-as-of';
import { writtenValueOf } from '../queries/read-model';
import { TradeDecision } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import {
  ApiPayloadConnection,
  AuditEventConnection,
  TradeDecisionConnection,
  TradeExecutionConnection,
} from './types/connections';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import {
  ApiPayloadOrder,
  AuditEventOrder,
  TradeDecisionOrder,
  TradeExecutionOrder,
  ORDER_BY_DESCRIPTION,
} from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { ApiPayloadWhere, AuditEventWhere, TradeDecisionWhere, TradeExecutionWhere } from './where/list-wheres';
import { lookupReadingAhead, pageReadingAhead } from '../loaders/read-ahead';
import { TradeDecisionFilter, tradeDecisionWhere } from './filters/trade-decision.filter';

@Authorized(Permission.readLineage)
@Resolver(() => TradeDecision)
export class TradeDecisionResolver {
  @Query(() => TradeDecision, {
    nullable: true,
    description: 'One decision by global `id` or external `decisionId`; null when unknown.',
  })
  decision(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('decisionId', () => String, { nullable: true }) decisionId: string | null,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TradeDecision | null> {
    const [key, value] = exactlyOne({ id, decisionId });
    return key === 'id'
      ? lookupReadingAhead(loaders, info, 'TradeDecision', 'id', fromGlobalId(value, 'id', 'TradeDecision').databaseId)
      : lookupReadingAhead(loaders, info, 'TradeDecision', 'decisionId', value);
  }

  @Query(() => TradeDecisionConnection, { description: 'Trade decisions, newest first.' })
  async decisions(
    @Arg('filter', () => TradeDecisionFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: TradeDecisionFilter | null,
    @Arg('where', () => TradeDecisionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeDecisionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const filtered = tradeDecisionWhere(filter);
    const found = await findPage(
      context.em,
      {
        where: { tree: where, argument: 'where' },
        entity: TradeDecision,
        typeName: 'TradeDecision',
        filter: filtered,
        status: filter?.status,
        order: { orders: LIST_ORDERS.TradeDecision, name: orderBy },
        json: { column: 'decision_rationale', filter: filter?.rationale, argument: 'filter.rationale' },
      },
      page,
    );
    return pageReadingAhead(context, info, 'TradeDecision', found);
  }

  @FieldResolver(() => ApiPayloadConnection, {
    description: 'The API payloads that fed this decision (FED, upstream), oldest first.',
  })
  inputs(
    @Root() decision: TradeDecision,
    @Arg('where', () => ApiPayloadWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => ApiPayloadOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('TradeDecision', 'inputs').load(decision.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => TradeExecutionConnection, {
    description: 'The executions that carried this decision out (EXECUTED_AS), oldest first.',
  })
  executions(
    @Root() decision: TradeDecision,
    @Arg('where', () => TradeExecutionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeExecutionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('TradeDecision', 'executions').load(decision.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this decision (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() decision: TradeDecision,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.events('TradeDecision').load(decision.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => DecisionStatus, { nullable: true, description: STATUS_AS_OF })
  statusAsOf(
    @Root() decision: TradeDecision,
    @Arg('at', () => DateTime, { description: STATUS_AS_OF_AT }) at: Instant,
    @Ctx() context: Context,
  ): Promise<DecisionStatus | null> {
    return statusAsOf<DecisionStatus>(context, 'TradeDecision', decision.id, at);
  }

  @FieldResolver(() => DecisionStatus, { description: RECORDED_STATUS })
  recordedStatus(@Root() decision: TradeDecision): DecisionStatus {
    return writtenValueOf(decision, 'status');
  }
}
