import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { Field, ID, InputType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { type AuditEvent, LogType } from '../../entities/audit-event.entity';
import { timeWindow } from '../../graphql/arguments';
import { fromGlobalId } from '../../lineage/global-id';
import { tableOf } from '../../lineage/node-types';
import { JsonFilter } from '../../graphql/json-filter';

@InputType({ description: 'Filters for audit events; all given conditions must hold.' })
export class AuditEventFilter {
  @Field(() => LogType, { nullable: true })
  logType?: LogType | null;

  @Field(() => String, { nullable: true, description: 'e.g. status_changed, position_snapshot, records_written.' })
  event?: string | null;

  @Field(() => String, { nullable: true })
  actor?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only events about this node (its global id).' })
  subject?: string | null;

  @Field(() => DateTime, { nullable: true })
  occurredFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true })
  occurredTo?: Instant | null;

  @Field(() => JsonFilter, { nullable: true, description: 'Conditions on event_data (GIN-indexed).' })
  data?: JsonFilter | null;
}

export function auditEventWhere(filter: AuditEventFilter | null | undefined): FilterQuery<AuditEvent> {
  if (!filter) return {};
  const subject = filter.subject != null ? fromGlobalId(filter.subject, 'filter.subject') : null;
  return {
    ...(filter.logType != null ? { logType: filter.logType } : {}),
    ...(filter.event != null ? { event: filter.event } : {}),
    ...(filter.actor != null ? { actor: filter.actor } : {}),
    ...(subject ? { subjectTable: tableOf(subject.type), subjectId: subject.databaseId } : {}),
    ...timeWindow('occurredAt', filter.occurredFrom, filter.occurredTo, 'occurred'),
  };
}
