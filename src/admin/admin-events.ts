import type { Knex } from '@mikro-orm/postgresql';
import { LogType } from '../entities/audit-event.entity';
import { type AppendedEvent, appendEvent } from '../record/append-event';

/** The ADMIN events auditgraph writes, by what they say happened. */
export enum AdminEvent {
  apiKeyCreated = 'api_key_created',
  apiKeyRevoked = 'api_key_revoked',
  /** The key named its successor and ends at the grace period's end (`keys rotate`). */
  apiKeyRotated = 'api_key_rotated',
  /** A live key's expiry brought forward (`keys expire`): it ends sooner, never later. */
  apiKeyExpirySet = 'api_key_expiry_set',
  /** A CLI report was run: which, over what, by whom. */
  reportRun = 'report_run',
  /** A gateway started, with the hash of its configuration. */
  gatewayStarted = 'gateway_started',
}

/** An appended admin event: its `seq`, and its `id` as the API returns it (for `auditgraph prove`). */
export type AdminEventRef = AppendedEvent;

/**
 * Appends an ADMIN audit event inside `trx`, the transaction of the change it
 * describes (api_keys.created_at, revoked_at take the same instant). Admin
 * events are about no lineage record: what they concern is in `data`.
 */
export const appendAdminEvent = (
  trx: Knex.Transaction,
  actor: string,
  event: AdminEvent,
  data: Record<string, unknown>,
): Promise<AdminEventRef> => appendEvent(trx, { logType: LogType.ADMIN, event, data, actor });
