import type { EntityManager } from '@mikro-orm/postgresql';
import { inWriteTransaction } from '../record/write-transaction';
import { AdminEvent, type AdminEventRef, appendAdminEvent } from './admin-events';

/**
 * Appends the `report_run` ADMIN event of a CLI report that ran: which
 * report, over what (its options as given, unset ones left out), by whom.
 */
export function recordReportRun(
  em: EntityManager,
  actor: string,
  report: string,
  options: Record<string, unknown>,
): Promise<AdminEventRef> {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return inWriteTransaction(em, (trx) =>
    appendAdminEvent(trx, actor, AdminEvent.reportRun, { report, options: given }),
  );
}
