import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { EVENTS_WRITTEN_BY_AUDITGRAPH, LOG_TYPES_WRITTEN_BY_AUDITGRAPH } from '../entities/audit-event.entity';
import { fromGlobalId } from '../lineage/global-id';
import { tableOf } from '../lineage/node-types';
import type { AuditEventInput, RecordResult } from './record-inputs';
import { EVENTS } from './record-tables';
import { RecordError } from './record-writer';
import { checkCount, checkText } from './input-checks';
import { record } from './record-batch';

export function recordEvents(em: EntityManager, actor: string, events: AuditEventInput[]): Promise<RecordResult> {
  checkCount(events);
  const rows = events.map((event, index) => {
    checkText(event.externalId, `records[${index}].externalId`);
    checkText(event.event, `records[${index}].event`);
    if (event.event.length > 200)
      throw new BadInputError(`records[${index}].event must be at most 200 characters`, 'event');
    if (LOG_TYPES_WRITTEN_BY_AUDITGRAPH.has(event.logType)) {
      throw new BadInputError(
        `records[${index}].logType ${event.logType} is written by auditgraph itself, with the change it describes ` +
          '(`auditgraph keys create`, `keys revoke`)',
        'logType',
      );
    }
    if (EVENTS_WRITTEN_BY_AUDITGRAPH.has(event.event)) {
      throw new BadInputError(
        `records[${index}].event ${event.event} is written by auditgraph itself; ` +
          'use recordStatusChange for status changes, correctRecord for corrections',
        'event',
      );
    }
    const subject = event.subjectId ? fromGlobalId(event.subjectId, `records[${index}].subjectId`) : null;
    return {
      source: `records[${index}]`,
      row: {
        external_id: event.externalId,
        log_type: event.logType,
        event: event.event,
        event_data: event.data ?? {},
        subject_table: subject ? tableOf(subject.type) : null,
        subject_id: subject?.databaseId ?? null,
        occurred_at: event.occurredAt,
      },
    };
  });
  return record(
    em,
    actor,
    EVENTS,
    events.map((event) => event.externalId),
    async (bundle, trx) => {
      // Subjects named by row id must exist: one lookup per table.
      for (const table of new Set(rows.map(({ row }) => row.subject_table).filter((table) => table !== null))) {
        const named = rows.filter(({ row }) => row.subject_table === table);
        const found = new Set(
          (
            (await trx(table)
              .select('id')
              .whereIn(
                'id',
                named.map(({ row }) => row.subject_id!),
              )) as { id: string }[]
          ).map((row) => String(row.id)),
        );
        const missing = named.find(({ row }) => !found.has(String(row.subject_id)));
        if (missing)
          throw new RecordError(missing.source, 'subjectId names a record that does not exist', 'BAD_USER_INPUT');
      }
      bundle.events = rows;
    },
  );
}
