import type { EntityManager } from '@mikro-orm/postgresql';
import { ResultTooLargeError } from '../base/errors';
import { AuditEvent } from '../entities';
import type { Instant } from '../time/instant';
import { readModelOf } from './read-model';

/** More points than a daily NAV over years; one past it is refused, never cut. */
export const MAX_NAV_POINTS = 5000;

export type NavPoint = { nav: string; occurredAt: Instant; event: AuditEvent };

/**
 * The NAV history of [from, to): every NAV-log event that states a numeric
 * `nav` — the importer's `position_snapshot` of each trading cycle, a
 * producer's `nav_calculated` (the logging spec's NAV log) — oldest first,
 * the chain's order breaking ties. One statement through the
 * `(log_type, occurred_at)` index; `nav` is the event's own digits, as text.
 */
export async function navHistory(em: EntityManager, from: Instant, to: Instant): Promise<NavPoint[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select e.*, e.event_data ->> 'nav' as nav_text from audit_events e
      where e.log_type = 'NAV' and e.occurred_at >= ? and e.occurred_at < ?
        and jsonb_typeof(e.event_data -> 'nav') = 'number'
      order by e.occurred_at, e.seq
      limit ${MAX_NAV_POINTS + 1}`,
    [from, to],
  );
  if (rows.length > MAX_NAV_POINTS)
    throw new ResultTooLargeError(
      `more than ${MAX_NAV_POINTS} NAV points fall in this window, the most one answer carries: ask for a shorter window`,
    );
  const toEvent = readModelOf(em, AuditEvent);
  return rows.map((row) => {
    const event = toEvent(row);
    return { nav: row.nav_text as string, occurredAt: event.occurredAt, event };
  });
}
