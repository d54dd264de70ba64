import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { listApiKeys } from '../auth/api-keys';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { ApiKey, QueryAuditEntry } from '../entities';
import { QueryAuditEntryConnection } from './types/connections';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import { QueryAuditEntryOrder, ORDER_BY_DESCRIPTION } from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { QueryAuditEntryWhere } from './where/list-wheres';
import { mentionConditions, QueryAuditFilter, queryAuditWhere } from './filters/query-audit.filter';

/** Who looked at what: the query audit log and the keys it names, for admins only. */
@Authorized(Permission.readQueryAudit)
@Resolver(() => QueryAuditEntry)
export class QueryAuditResolver {
  @Query(() => QueryAuditEntryConnection, {
    description: 'Every operation the gateway was asked to run, newest first.',
  })
  queryAuditLog(
    @Arg('filter', () => QueryAuditFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: QueryAuditFilter | null,
    @Arg('where', () => QueryAuditEntryWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => QueryAuditEntryOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { em }: Context,
  ) {
    return findPage(
      em,
      {
        where: { tree: where, argument: 'where' },
        entity: QueryAuditEntry,
        typeName: 'QueryAuditEntry',
        filter: queryAuditWhere(filter),
        order: { orders: LIST_ORDERS.QueryAuditEntry, name: orderBy },
        conditions: mentionConditions(filter),
      },
      page,
    );
  }

  @Query(() => [ApiKey], { description: 'Every API key, newest first (never their secrets).' })
  apiKeys(@Ctx() { em }: Context) {
    return listApiKeys(em);
  }

  @FieldResolver(() => ApiKey, {
    nullable: true,
    description: 'The key the operation was made with; null for anonymous callers and refused keys.',
  })
  key(@Root() entry: QueryAuditEntry, @Ctx() { loaders }: Context) {
    return entry.apiKey ? loaders.apiKeyById.load(entry.apiKey.id) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The GraphQL document sent (up to 64 KiB of it).' })
  async document(@Root() entry: QueryAuditEntry, @Ctx() { loaders }: Context) {
    return entry.queryHash ? ((await loaders.queryDocumentByHash.load(entry.queryHash))?.document ?? null) : null;
  }
}
