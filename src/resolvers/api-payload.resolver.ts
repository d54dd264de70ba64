import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from '../context';
import { ApiPayload, IngestionRun } from '../entities';
import { fromGlobalId } from '../lineage/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import {
  ApiPayloadConnection,
  AuditEventConnection,
  TradeDecisionConnection,
  TradeExecutionConnection,
} from '../graphql/connections';
import { findPage } from '../graphql/pagination/find-page';
import { lookupWithLineage, withLineageBelow } from '../loaders/lineage.prefetch';
import { ApiPayloadFilter, apiPayloadWhere } from './filters/api-payload.filter';

@Authorized(Permission.readLineage)
@Resolver(() => ApiPayload)
export class ApiPayloadResolver {
  @Query(() => ApiPayload, { nullable: true, description: 'One API payload by global id; null when unknown.' })
  apiPayload(
    @Arg('id', () => ID) id: string,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ApiPayload | null> {
    return lookupWithLineage(loaders, info, 'ApiPayload', 'id', fromGlobalId(id, 'id', 'ApiPayload').databaseId);
  }

  @Query(() => ApiPayloadConnection, { description: 'API payloads, newest first.' })
  async apiPayloads(
    @Arg('filter', () => ApiPayloadFilter, { nullable: true }) filter: ApiPayloadFilter | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const where = apiPayloadWhere(filter);
    const found = await findPage(
      context.em,
      {
        entity: ApiPayload,
        typeName: 'ApiPayload',
        filter: where,
        sortProperty: 'createdAt',
        json: { column: 'payload', filter: filter?.payload, argument: 'filter.payload' },
      },
      page,
    );
    return withLineageBelow(context, info, 'ApiPayload', found);
  }

  @FieldResolver(() => IngestionRun, {
    nullable: true,
    description: 'The run that fetched this payload; null for broker calls.',
  })
  ingestionRun(@Root() payload: ApiPayload, @Ctx() { loaders }: Context): Promise<IngestionRun | null> | null {
    return payload.ingestionRun ? loaders.ingestionRunById.load(payload.ingestionRun.id) : null;
  }

  @FieldResolver(() => TradeDecisionConnection, { description: 'The decisions this payload fed (FED), oldest first.' })
  decisions(
    @Root() payload: ApiPayload,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.decisionsByInputPayload.load(payload.id, page);
  }

  @FieldResolver(() => TradeExecutionConnection, {
    description:
      'The executions that sent this payload as their broker request or received it as their response, oldest first.',
  })
  executions(
    @Root() payload: ApiPayload,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { loaders }: Context,
  ) {
    return loaders.executionsByPayload.load(payload.id, page);
  }

  @FieldResolver(() => AuditEventConnection, {
    description: 'Audit events about this payload (status changes, snapshots, …), in chain order.',
  })
  events(@Root() payload: ApiPayload, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() { loaders }: Context) {
    return loaders.eventsOfPayload.load(payload.id, page);
  }
}
