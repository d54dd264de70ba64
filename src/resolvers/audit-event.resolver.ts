import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { AuditEvent } from '../entities';
import { AuditEventConnection } from './types/connections';
import { Node } from '../graphql/node.interface';
import { nodeTypeOfTable } from '../lineage/node-types';
import { ConnectionArgs } from '../graphql/pagination/connection';
import { findPage } from '../queries/find-page';
import { LIST_ORDERS } from '../queries/list-order';
import { AuditEventOrder, ORDER_BY_DESCRIPTION } from './order/list-order-enums';
import type { WhereTree } from '../queries/where-conditions';
import { AuditEventWhere } from './where/list-wheres';
import { AuditEventFilter, auditEventWhere } from './filters/audit-event.filter';
import { loadNode } from './node.resolver';

@Authorized(Permission.readLineage)
@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection, { description: 'The audit event log, most recent first.' })
  auditEvents(
    @Arg('filter', () => AuditEventFilter, { nullable: true, deprecationReason: 'Use where:' })
    filter: AuditEventFilter | null,
    @Arg('where', () => AuditEventWhere, { nullable: true }) where: WhereTree | null,
    @Arg('orderBy', () => AuditEventOrder, { nullable: true, description: ORDER_BY_DESCRIPTION })
    orderBy: string | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() { em }: Context,
  ) {
    return findPage(
      em,
      {
        where: { tree: where, argument: 'where' },
        entity: AuditEvent,
        typeName: 'AuditEvent',
        filter: auditEventWhere(filter),
        order: { orders: LIST_ORDERS.AuditEvent, name: orderBy },
        json: { column: 'event_data', filter: filter?.data, argument: 'filter.data' },
      },
      page,
    );
  }

  @FieldResolver(() => Node, {
    nullable: true,
    description: 'The record this event is about, to walk its lineage from.',
  })
  subject(@Root() event: AuditEvent, @Ctx() { loaders }: Context): Promise<Node | null> | null {
    const type = event.subjectTable && event.subjectId ? nodeTypeOfTable(event.subjectTable) : null;
    return type ? loadNode(loaders, type, event.subjectId!) : null;
  }
}
