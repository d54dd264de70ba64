import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from '../context';
import { IngestionRun } from '../entities';
import { exactlyOne } from '../graphql/arguments';
import { fromGlobalId } from '../graphql/global-id';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { ApiPayloadConnection, AuditEventConnection, IngestionRunConnection } from '../graphql/connections';
import { findPage } from '../graphql/pagination/find-page';
import { IngestionRunFilter, ingestionRunWhere } from './filters/ingestion-run.filter';

@Authorized(Permission.readLineage)
@Resolver(() => IngestionRun)
export class IngestionRunResolver {
  @Query(() => IngestionRun, { nullable: true, description: 'One ingestion run by global `id` or external `runId`; null when unknown.' })
  ingestionRun(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('runId', () => String, { nullable: true }) runId: string | null,
    @Ctx() { loaders }: Context,
  ): Promise<IngestionRun | null> {
    const [key, value] = exactlyOne({ id, runId });
    return key === 'id' ? loaders.ingestionRunById.load(fromGlobalId(value, 'id', 'IngestionRun').databaseId) : loaders.ingestionRunByRunId.load(value);
  }

  @Query(() => IngestionRunConnection, { description: 'Ingestion runs, newest first.' })
  ingestionRuns(
    @Arg('filter', () => IngestionRunFilter, { nullable: true }) filter: IngestionRunFilter | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { em }: Context,
  ) {
    const where = ingestionRunWhere(filter);
    return findPage(
      em,
      { entity: IngestionRun, typeName: 'IngestionRun', filter: where, status: filter?.status, sortProperty: 'createdAt', json: { column: 'metadata', filter: filter?.metadata, argument: 'filter.metadata' } },
      page,
    );
  }

  @FieldResolver(() => ApiPayloadConnection, { description: 'The payloads this run fetched (FETCHED), oldest first.' })
  payloads(@Root() run: IngestionRun, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() { loaders }: Context) {
    return loaders.payloadsByIngestionRun.load(run.id, page);
  }

  @FieldResolver(() => AuditEventConnection, { description: 'Audit events about this run (status changes, snapshots, …), in chain order.' })
  events(@Root() run: IngestionRun, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() { loaders }: Context) {
    return loaders.eventsOfIngestionRun.load(run.id, page);
  }
}
