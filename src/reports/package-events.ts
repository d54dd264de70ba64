import type { EntityManager } from '@mikro-orm/postgresql';
import type { LogType } from '../entities/audit-event.entity';
import { auditEventId } from '../proof/record-ref';
import { instantFromDatabase } from '../time/instant';
import type { Period } from './period';

/** Events read per statement: a quarter's risk log is read in pages, keyset by (occurred_at, seq). */
const PAGE = 5000;

type EventRow = {
  seq: string;
  event: string;
  event_data: string;
  subject_table: string | null;
  subject_id: string | null;
  actor: string | null;
  occurred_at: string;
};

/**
 * Every event of one log type in the period as JSON Lines, oldest first (the
 * chain's order breaking ties): one object a line, `eventData` a JSON string
 * holding PostgreSQL's own text of the jsonb (`event_data::text`), so its
 * numbers stay exactly as they were stored and hashed — never parsed and
 * written again (the archive contract's rule for byte-exact text).
 * Through the `(log_type, occurred_at)` index.
 */
export async function eventLines(em: EntityManager, logType: LogType, period: Period): Promise<string> {
  const connection = em.getConnection();
  const lines: string[] = [];
  let after: { occurredAt: string; seq: string } | null = null;
  for (;;) {
    const rows: EventRow[] = await connection.execute<EventRow[]>(
      `select e.seq::text as seq, e.event, e.event_data::text as event_data, e.subject_table, e.subject_id::text as subject_id,
              e.actor, e.occurred_at::text as occurred_at
         from audit_events e
        where e.log_type = ? and e.occurred_at >= ? and e.occurred_at < ?
          and (?::timestamptz is null or (e.occurred_at, e.seq) > (?::timestamptz, ?::bigint))
        order by e.occurred_at, e.seq
        limit ${PAGE}`,
      [logType, period.from, period.until, after?.occurredAt ?? null, after?.occurredAt ?? null, after?.seq ?? null],
    );
    for (const row of rows) {
      lines.push(
        `${JSON.stringify({
          id: auditEventId(row.seq),
          seq: row.seq,
          logType,
          event: row.event,
          occurredAt: instantFromDatabase(row.occurred_at),
          actor: row.actor,
          subjectTable: row.subject_table,
          subjectId: row.subject_id,
          eventData: row.event_data,
        })}\n`,
      );
    }
    if (rows.length < PAGE) return lines.join('');
    const last = rows.at(-1)!;
    after = { occurredAt: last.occurred_at, seq: last.seq };
  }
}
