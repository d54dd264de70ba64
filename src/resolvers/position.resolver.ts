import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { PositionStatus } from '../entities/position.entity';
import { RECORDED_OPENING, RECORDED_STATUS, STATUS_AS_OF, STATUS_AS_OF_AT, statusAsOf } from './status-as-of';
import { writtenValueOf } from '../queries/read-model';
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
import { DateTime } from '../graphql/date-time.scalar';
import { Decimal } from '../graphql/decimal.scalar';
import type { Instant } from '../time/instant';
import { recordAsOf } from '../queries/record-as-of';

const AS_OF =
  'quantity, avgCost, status and closedAt as they stood at that instant, rebuilt from the fills ' +
  'and status changes made by then (one at exactly that instant counts); its lists and events stay as they are now.';
const AS_OF_LOOKUP = `Time travel: the position's ${AS_OF} Null when it was not open yet. Omitted: now.`;
const AS_OF_LIST =
  `Time travel: only positions opened by that instant, each with its ${AS_OF} ` +
  '`where:` and `filter:` still test what is current. Omitted: now.';

@Authorized(Permission.readLineage)
@Resolver(() => Position)
export class PositionResolver {
  @Query(() => Position, { nullable: true, description: 'One position by global id; null when unknown.' })
  position(
    @Arg('id', () => ID) id: string,
    @Arg('asOf', () => DateTime, { nullable: true, description: AS_OF_LOOKUP }) asOf: Instant | null,
    @Ctx() { em, loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Position | null> {
    const { databaseId } = fromGlobalId(id, 'id', 'Position');
    if (asOf != null) return recordAsOf<Position>(em, 'Position', databaseId, asOf);
    return lookupReadingAhead(loaders, info, 'Position', 'id', databaseId);
  }

  @Query(() => PositionConnection, { description: 'Positions, most recently opened first.' })
  async positions(
    @Arg('filter', () => PositionFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: PositionFilter | null,
    @Arg('where', () => PositionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => PositionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION }) orderBy: string | null,
    @Arg('asOf', () => DateTime, { nullable: true, description: AS_OF_LIST }) asOf: Instant | null,
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
        asOf,
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

  @FieldResolver(() => PositionStatus, { nullable: true, description: STATUS_AS_OF })
  statusAsOf(
    @Root() position: Position,
    @Arg('at', () => DateTime, { description: STATUS_AS_OF_AT }) at: Instant,
    @Ctx() context: Context,
  ): Promise<PositionStatus | null> {
    return statusAsOf<PositionStatus>(context, 'Position', position.id, at);
  }

  @FieldResolver(() => PositionStatus, { description: RECORDED_STATUS })
  recordedStatus(@Root() position: Position): PositionStatus {
    return writtenValueOf(position, 'status');
  }

  @FieldResolver(() => Decimal, { description: RECORDED_OPENING('quantity') })
  recordedQuantity(@Root() position: Position): string {
    return writtenValueOf(position, 'quantity');
  }

  @FieldResolver(() => Decimal, { nullable: true, description: RECORDED_OPENING('avgCost') })
  recordedAvgCost(@Root() position: Position): string | null {
    return writtenValueOf(position, 'avgCost');
  }

  @FieldResolver(() => DateTime, { nullable: true, description: RECORDED_OPENING('closedAt') })
  recordedClosedAt(@Root() position: Position): Instant | null {
    return writtenValueOf(position, 'closedAt');
  }
}
