import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { inWriteTransaction } from '../record/write-transaction';

/** SEC 204-2 style: the first two years stay immediately accessible. */
export const MIN_RETENTION_DAYS = 730;
const DAY_MS = 86_400_000;

export type RetentionWindow = { days: number; cutoff: Date };

/** `730d` → a window ending `days` before `now`. Shorter than two years only when asked for explicitly. */
export function retentionWindow(raw: string, options: { allowShort?: boolean; now?: Date } = {}): RetentionWindow {
  const match = /^(\d{1,6})d$/.exec(raw.trim());
  if (!match)
    throw new BadInputError(
      `--older-than must be a number of days such as 730d; got ${JSON.stringify(raw)}`,
      'older-than',
    );
  const days = Number(match[1]);
  if (days < 1) throw new BadInputError('--older-than must be at least 1d', 'older-than');
  if (days < MIN_RETENTION_DAYS && !options.allowShort) {
    throw new BadInputError(
      `--older-than ${days}d is inside the ${MIN_RETENTION_DAYS}-day window records must stay accessible; ` +
        'pass --allow-short-window to purge anyway',
      'older-than',
    );
  }
  return { days, cutoff: new Date((options.now ?? new Date()).getTime() - days * DAY_MS) };
}

export type PurgeSummary = {
  olderThanDays: number;
  cutoff: string;
  executed: boolean;
  /** Payload bodies removed (or, in a dry run, that would be). */
  payloads: number;
  /** Bytes of body text freed (or that would be). */
  bodyBytes: number;
  /** The COMPLIANCE event that records an executed purge. */
  eventSeq: string | null;
};

const CANDIDATES = `from api_payloads where created_at < ? and payload is not null`;

/**
 * The one deletion path of the record: payload bodies older than the window
 * are replaced by tombstones holding their hash and size, inside one
 * transaction that also appends the COMPLIANCE event saying so. The rows stay
 * (lineage stays whole) and verify recomputes each payload's hash from its
 * tombstone. A dry run counts the same rows and changes nothing.
 */
export async function purgePayloadBodies(
  em: EntityManager,
  window: RetentionWindow,
  options: { execute: boolean; actor: string },
): Promise<PurgeSummary> {
  const summary = { olderThanDays: window.days, cutoff: window.cutoff.toISOString(), executed: options.execute };
  const knex = em.getKnex();
  if (!options.execute) {
    const {
      rows: [plan],
    } = await knex.raw(
      `select count(*)::int as payloads, coalesce(sum(octet_length(payload::text)), 0)::bigint as bytes ${CANDIDATES}`,
      [window.cutoff],
    );
    return { ...summary, payloads: plan.payloads, bodyBytes: Number(plan.bytes), eventSeq: null };
  }
  return inWriteTransaction(em, async (trx) => {
    await trx.raw(`select set_config('auditgraph.retention_purge', 'on', true)`);
    const {
      rows: [purged],
    } = await trx.raw(
      `with tombstones as (
         insert into api_payload_tombstones (api_payload_id, body_hash, body_bytes)
         select id, auditgraph_body_hash(payload), octet_length(payload::text) ${CANDIDATES}
         order by id
         returning body_bytes
       ) select count(*)::int as payloads, coalesce(sum(body_bytes), 0)::bigint as bytes from tombstones`,
      [window.cutoff],
    );
    // Exactly the bodies just tombstoned: earlier purges left theirs null already.
    await trx.raw(
      `update api_payloads p set payload = null
         from api_payload_tombstones t
        where t.api_payload_id = p.id and p.payload is not null`,
    );
    const {
      rows: [event],
    } = await trx.raw(
      `insert into audit_events (log_type, event, event_data, subject_table, actor, occurred_at)
       values ('COMPLIANCE', 'retention_purge', ?, 'api_payloads', ?, now()) returning seq::text`,
      [
        {
          olderThanDays: window.days,
          cutoff: window.cutoff.toISOString(),
          payloads: purged.payloads,
          bodyBytes: Number(purged.bytes),
        },
        options.actor,
      ],
    );
    return { ...summary, payloads: purged.payloads, bodyBytes: Number(purged.bytes), eventSeq: event.seq };
  });
}
