import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../base/config';
import { canonicalJson } from '../integrator/canonical-json';
import { inWriteTransaction } from '../record/write-transaction';
import { AdminEvent, type AdminEventRef, appendAdminEvent } from './admin-events';

/**
 * SHA-256 of the configuration a gateway starts with, as canonical JSON
 * (RFC 8785), an unset setting as null: two starts with the same settings
 * have the same hash, a changed setting a new one. The database URL's
 * password is left out, so the hash reveals nothing a guess could check.
 */
export function configurationHash(config: Config): string {
  const settings = Object.fromEntries(
    Object.entries({ ...config, databaseUrl: config.databaseUrl && withoutPassword(config.databaseUrl) }).map(
      ([name, value]) => [name, value ?? null],
    ),
  );
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** Appends the `gateway_started` ADMIN event: who started which configuration. */
export function recordGatewayStart(em: EntityManager, actor: string, config: Config): Promise<AdminEventRef> {
  return inWriteTransaction(em, (trx) =>
    appendAdminEvent(trx, actor, AdminEvent.gatewayStarted, { configSha256: configurationHash(config) }),
  );
}
