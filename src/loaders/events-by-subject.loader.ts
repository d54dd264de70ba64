import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent, type SubjectTable } from '../entities/audit-event.entity';
import type { NodeType } from '../graphql/global-id';
import { childPageLoader } from './child-page';

/** `events` of every lineage node: the audit events about it, in chain order. */
export const eventsBySubject = (parentType: NodeType, table: SubjectTable) => (em: EntityManager) =>
  childPageLoader(em, {
    parentType,
    field: 'events',
    entity: AuditEvent,
    table: 'audit_events',
    sortColumn: 'seq',
    idColumn: 'seq',
    rows: (parents) =>
      `select e.*, e.subject_id as parent_id from audit_events e where e.subject_table = '${table}' and e.subject_id = any(${parents})`,
  });

export const eventsOfIngestionRun = eventsBySubject('IngestionRun', 'data_ingestion_runs');
export const eventsOfPayload = eventsBySubject('ApiPayload', 'api_payloads');
export const eventsOfDecision = eventsBySubject('TradeDecision', 'trade_decisions');
export const eventsOfExecution = eventsBySubject('TradeExecution', 'trade_executions');
export const eventsOfPosition = eventsBySubject('Position', 'positions');
