import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { GraphQLJSON } from '../graphql/json.scalar';
import { ApiPayload, IngestionRun } from '../entities';
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
import { ApiPayloadFilter, apiPayloadWhere } from './filters/api-payload.filter';
import { PayloadSource } from './types/payload-source';
import { archivedBodyOf } from '../archive/archived-body';

@Authorized(Permission.readLineage)
@Resolver(() => ApiPayload)
export class ApiPayloadResolver {
  @Query(() => ApiPayload, { nullable: true, description: 'One API payload by global id; null when unknown.' })
  apiPayload(
    @Arg('id', () => ID) id: string,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ApiPayload | null> {
    return lookupReadingAhead(loaders, info, 'ApiPayload', 'id', fromGlobalId(id, 'id', 'ApiPayload').databaseId);
  }

  @Query(() => ApiPayloadConnection, { description: 'API payloads, newest first.' })
  async apiPayloads(
    @Arg('filter', () => ApiPayloadFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: ApiPayloadFilter | null,
    @Arg('where', () => ApiPayloadWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => ApiPayloadOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const filtered = apiPayloadWhere(filter);
    const found = await findPage(
      context.em,
      {
        where: { tree: where, argument: 'where' },
        entity: ApiPayload,
        typeName: 'ApiPayload',
        filter: filtered,
        order: { orders: LIST_ORDERS.ApiPayload, name: orderBy },
        json: { column: 'payload', filter: filter?.payload, argument: 'filter.payload' },
      },
      page,
    );
    return pageReadingAhead(context, info, 'ApiPayload', found);
  }

  @FieldResolver(() => GraphQLJSON, {
    nullable: true,
    description:
      'The body: from its row, or once purged, read back from its archived copy (see payloadSource); null when it had none or only its hash is left.',
  })
  async payload(@Root() payload: ApiPayload, @Ctx() { loaders }: Context): Promise<unknown> {
    if (payload.payload !== null) return payload.payload;
    return archivedBodyOf(payload.id, await loaders.payloadStorage.load(payload.id), loaders.archiveFrames);
  }

  @FieldResolver(() => PayloadSource, { description: 'Where payload is answered from.' })
  async payloadSource(@Root() payload: ApiPayload, @Ctx() { loaders }: Context): Promise<PayloadSource> {
    if (payload.payload !== null) return PayloadSource.DATABASE;
    const storage = await loaders.payloadStorage.load(payload.id);
    if (!storage.purged) return PayloadSource.DATABASE;
    return storage.archived ? PayloadSource.ARCHIVE : PayloadSource.PURGED;
  }

  @FieldResolver(() => IngestionRun, {
    nullable: true,
    description: 'The run that fetched this payload; null for broker calls.',
  })
  ingestionRun(@Root() payload: ApiPayload, @Ctx() { loaders }: Context): Promise<IngestionRun | null> | null {
    return loaders.one('ApiPayload', 'ingestionRun').load(payload);
  }

  @FieldResolver(() => TradeDecisionConnection, { description: 'The decisions this payload fed (FED), oldest first.' })
  decisions(
    @Root() payload: ApiPayload,
    @Arg('where', () => TradeDecisionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeDecisionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('ApiPayload', 'decisions').load(payload.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => TradeExecutionConnection, {
    description:
      'The executions that sent this payload as their broker request or received it as their response, oldest first.',
  })
  executions(
    @Root() payload: ApiPayload,
    @Arg('where', () => TradeExecutionWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => TradeExecutionOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('ApiPayload', 'executions').load(payload.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this payload (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() payload: ApiPayload,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.events('ApiPayload').load(payload.id, { ...page, where, orderBy });
  }
}
