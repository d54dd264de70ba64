import { Arg, Args, Ctx, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Position, TradeExecution } from '../entities';
import { fromGlobalId } from '../graphql/global-id';
import { Connection, ConnectionArgs } from '../graphql/pagination/connection';
import { findPage } from '../graphql/pagination/find-page';
import { PositionFilter, positionWhere } from './filters/position.filter';

@ObjectType()
class PositionConnection extends Connection(Position, 'Position') {}

@Resolver(() => Position)
export class PositionResolver {
  @Query(() => Position, { nullable: true, description: 'One position by global id; null when unknown.' })
  position(@Arg('id', () => ID) id: string, @Ctx() { loaders }: Context): Promise<Position | null> {
    return loaders.positionById.load(fromGlobalId(id, 'id', 'Position').databaseId);
  }

  @Query(() => PositionConnection, { description: 'Positions, most recently opened first.' })
  positions(
    @Arg('filter', () => PositionFilter, { nullable: true }) filter: PositionFilter | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { em }: Context,
  ) {
    const where = positionWhere(filter);
    return findPage(em, { entity: Position, typeName: 'Position', filter: where, sortProperty: 'openedAt' }, page);
  }

  @FieldResolver(() => [TradeExecution], { description: 'The executions that built this position, oldest first.' })
  executions(@Root() position: Position, @Ctx() { loaders }: Context): Promise<TradeExecution[]> {
    return loaders.executionsByPosition.load(position.id);
  }
}
