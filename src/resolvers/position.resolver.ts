import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { Position } from '../entities';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { AuditEventConnection, PositionConnection, TradeExecutionConnection } from './types/connections';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import { AuditEventOrder, PositionOrder, TradeExecutionOrder, ORDER_BY_DESCRIPTION } from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { AuditEventWhere, PositionWhere, TradeExecutionWhere } from './where/list-wheres';
import { lookupReadingAhead, pageReadingAhead } from '../loaders/read-ahead';
import { PositionFilter, positionWhere } from './filters/position.filter';

@Authorized(Permission.readLineage)
@Resolver(() => Position)
export class PositionResolver {
  @Query(() => Position, { nullable: true, description: 'One position by global id; null when unknown.' })
  position(
    @Arg('id', () => ID) id: string,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Position | null> {
    return lookupReadingAhead(loaders, info, 'Position', 'id', fromGlobalId(id, 'id', 'Position').databaseId);
  }

  @Query(() => PositionConnection, { description: 'Positions, most recently opened first.' })
  async positions(
    @Arg('filter', () => PositionFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: PositionFilter | null,
    @Arg('where', () => PositionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => PositionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION }) orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const filtered = positionWhere(filter);
    const found = await findPage(
      context.em,
      {
        where: { tree: where, argument: 'where' },
        entity: Position,
        typeName: 'Position',
        filter: filtered,
        status: filter?.status,
        order: { orders: LIST_ORDERS.Position, name: orderBy },
      },
      page,
    );
    return pageReadingAhead(context, info, 'Position', found);
  }

  @FieldResolver(() => TradeExecutionConnection, {
    description: 'The executions that built this position, oldest first.',
  })
  executions(
    @Root() position: Position,
    @Arg('where', () => TradeExecutionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeExecutionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('Position', 'executions').load(position.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this position (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() position: Position,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.events('Position').load(position.id, { ...page, where, orderBy });
  }
}
