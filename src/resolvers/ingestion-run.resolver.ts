import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import { DateTime } from '../graphql/date-time.scalar';
import type { Instant } from '../time/instant';
import type { Context } from './context';
import { IngestionRunStatus } from '../entities/ingestion-run.entity';
import { RECORDED_STATUS, STATUS_AS_OF, STATUS_AS_OF_AT, statusAsOf } from './status-as-of';
import { writtenValueOf } from '../queries/read-model';
import { IngestionRun } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { ApiPayloadConnection, AuditEventConnection, IngestionRunConnection } from './types/connections';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import { ApiPayloadOrder, AuditEventOrder, IngestionRunOrder, ORDER_BY_DESCRIPTION } from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { ApiPayloadWhere, AuditEventWhere, IngestionRunWhere } from './where/list-wheres';
import { lookupReadingAhead, pageReadingAhead } from '../loaders/read-ahead';
import { IngestionRunFilter, ingestionRunWhere } from './filters/ingestion-run.filter';

@Authorized(Permission.readLineage)
@Resolver(() => IngestionRun)
export class IngestionRunResolver {
  @Query(() => IngestionRun, {
    nullable: true,
    description: 'One ingestion run by global `id` or external `runId`; null when unknown.',
  })
  ingestionRun(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('runId', () => String, { nullable: true }) runId: string | null,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<IngestionRun | null> {
    const [key, value] = exactlyOne({ id, runId });
    return key === 'id'
      ? lookupReadingAhead(loaders, info, 'IngestionRun', 'id', fromGlobalId(value, 'id', 'IngestionRun').databaseId)
      : lookupReadingAhead(loaders, info, 'IngestionRun', 'runId', value);
  }

  @Query(() => IngestionRunConnection, { description: 'Ingestion runs, newest first.' })
  async ingestionRuns(
    @Arg('filter', () => IngestionRunFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: IngestionRunFilter | null,
    @Arg('where', () => IngestionRunWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => IngestionRunOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const filtered = ingestionRunWhere(filter);
    const found = await findPage(
      context.em,
      {
        where: { tree: where, argument: 'where' },
        entity: IngestionRun,
        typeName: 'IngestionRun',
        filter: filtered,
        status: filter?.status,
        order: { orders: LIST_ORDERS.IngestionRun, name: orderBy },
        json: { column: 'metadata', filter: filter?.metadata, argument: 'filter.metadata' },
      },
      page,
    );
    return pageReadingAhead(context, info, 'IngestionRun', found);
  }

  @FieldResolver(() => ApiPayloadConnection, { description: 'The payloads this run fetched (FETCHED), oldest first.' })
  payloads(
    @Root() run: IngestionRun,
    @Arg('where', () => ApiPayloadWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => ApiPayloadOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.list('IngestionRun', 'payloads').load(run.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this run (status changes, snapshots, …), in chain order.',
  })
  events(
    @Root() run: IngestionRun,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.events('IngestionRun').load(run.id, { ...page, where, orderBy });
  }

  @FieldResolver(() => IngestionRunStatus, { nullable: true, description: STATUS_AS_OF })
  statusAsOf(
    @Root() run: IngestionRun,
    @Arg('at', () => DateTime, { description: STATUS_AS_OF_AT }) at: Instant,
    @Ctx() context: Context,
  ): Promise<IngestionRunStatus | null> {
    return statusAsOf<IngestionRunStatus>(context, 'IngestionRun', run.id, at);
  }

  @FieldResolver(() => IngestionRunStatus, { description: RECORDED_STATUS })
  recordedStatus(@Root() run: IngestionRun): IngestionRunStatus {
    return writtenValueOf(run, 'status');
  }
}
