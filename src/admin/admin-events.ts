import type { Knex } from '@mikro-orm/postgresql';
import { checkedActor } from '../base/actor';
import { LogType } from '../entities/audit-event.entity';
import { auditEventId } from '../proof/record-ref';

/** The ADMIN events auditgraph writes, by what they say happened. */
export enum AdminEvent {
  apiKeyCreated = 'api_key_created',
  apiKeyRevoked = 'api_key_revoked',
}

/** An appended admin event: its `seq`, and its `id` as the API returns it (for `auditgraph prove`). */
export type AdminEventRef = { seq: string; id: string };

/**
 * Appends an ADMIN audit event inside `trx`, the transaction of the change it
 * describes, so that the change and its event commit or roll back together.
 * Its `occurred_at` is the transaction's `now()`, the instant the change's own
 * columns take (api_keys.created_at, revoked_at). Admin events are about
 * no lineage record: what they concern is in `data`. Like every audit event,
 * the integrator takes it into the Merkle tree after commit.
 */
export async function appendAdminEvent(
  trx: Knex.Transaction,
  actor: string,
  event: AdminEvent,
  data: Record<string, unknown>,
): Promise<AdminEventRef> {
  const {
    rows: [row],
  } = await trx.raw(
    `insert into audit_events (log_type, event, event_data, actor, occurred_at)
     values (?, ?, ?::jsonb, ?, now()) returning seq::text`,
    [LogType.ADMIN, event, JSON.stringify(data), checkedActor(actor, 'actor')],
  );
  return { seq: row.seq as string, id: auditEventId(row.seq as string) };
}
