import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { Position } from '../entities';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { AuditEventConnection, PositionConnection, TradeExecutionConnection } from './types/connections';
import { findPage } from '../queries/find-page';
import type { WhereTree } from '../queries/where-conditions';
import { PositionWhere } from './where/list-wheres';
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
        sortProperty: 'openedAt',
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
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('Position', 'executions').load(position.id, page);
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this position (status changes, snapshots, …), in chain order.',
  })
  events(@Root() position: Position, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() { loaders }: Context) {
    return loaders.events('Position').load(position.id, page);
  }
}
