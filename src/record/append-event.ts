import type { Knex } from '@mikro-orm/postgresql';
import { checkedActor } from '../base/actor';
import { tableNameOf } from '../database/entity-metadata';
import { AuditEvent, type LogType, type SubjectTable } from '../entities/audit-event.entity';
import { auditEventId } from '../proof/record-ref';

/** An appended event: its `seq`, and its `id` as the API returns it (for `auditgraph prove`). */
export type AppendedEvent = { seq: string; id: string };

/**
 * Appends an event auditgraph writes itself (an admin action, a correction, a
 * purge: EVENTS_WRITTEN_BY_AUDITGRAPH and the ADMIN log type) inside `trx`, the
 * transaction of the change it describes, so that the change and its event
 * commit or roll back together. Its `occurred_at` is the transaction's `now()`,
 * the instant the change's own columns take. Like every audit event, the
 * integrator takes it into the Merkle tree after commit.
 */
export async function appendEvent(
  trx: Knex.Transaction,
  event: {
    logType: LogType;
    event: string;
    data: Record<string, unknown>;
    actor: string;
    subjectTable?: SubjectTable;
    subjectId?: string;
  },
): Promise<AppendedEvent> {
  const {
    rows: [row],
  } = await trx.raw(
    `insert into ${tableNameOf(AuditEvent)} (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
     values (?, ?, ?::jsonb, ?, ?, ?, now()) returning seq::text`,
    [
      event.logType,
      event.event,
      JSON.stringify(event.data),
      event.subjectTable ?? null,
      event.subjectId ?? null,
      checkedActor(event.actor, 'actor'),
    ],
  );
  return { seq: row.seq as string, id: auditEventId(row.seq as string) };
}
