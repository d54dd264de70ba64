import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent, type SubjectTable } from '../entities/audit-event.entity';
import { type NodeType, tableOf } from '../lineage/node-types';
import { LIST_ORDERS } from '../queries/list-order';
import { childPageLoader } from './child-page';

/** `events` of every lineage node: the audit events about it, in chain order unless asked otherwise. */
export const eventsOf = (em: EntityManager, parentType: NodeType) => {
  const table = tableOf(parentType) as SubjectTable;
  return childPageLoader(em, {
    parentType,
    field: 'events',
    entity: AuditEvent,
    table: 'audit_events',
    orders: LIST_ORDERS.AuditEvent,
    rows: (parents) => `select e.*, e.subject_id as parent_id
      from audit_events e where e.subject_table = '${table}' and e.subject_id = any(${parents})`,
  });
};
