import pg from 'pg';
import { millisecondsOf } from '../time/instant';
import type { Orm } from '../database/orm';
import { logger } from '../base/logger';
import { findLiveKey, type KeyIdentity } from './api-keys';
import { hashSecret } from './api-key-secret';

const CHANNEL = 'auditgraph_api_keys';
const MAX_CACHED_KEYS = 10_000;
const RECONNECT_MS = 1_000;

/**
 * Verifies API keys without a key lookup per request, yet refuses a revoked key
 * on the first request that arrives after the revocation committed, on every
 * gateway: verified keys are cached only while a LISTEN connection is up, every
 * committed change to `api_keys` (a trigger NOTIFYs) empties the cache, and a
 * cached key is answered only after a round trip on that connection that was
 * sent after the request arrived. PostgreSQL signals listeners before the
 * revoking commit returns and delivers their notifications ahead of any later
 * answer on the same connection, so the notification is handled first; without
 * the round trip a request can read the cache while the notification still sits
 * unread in the socket. Requests arriving together share one round trip. While
 * the connection is down, every request is checked against the table. Unknown
 * secrets are never cached, so the cache cannot be flooded.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, KeyIdentity>();
  /** Bumped by every notification, so a lookup that raced a revocation is not cached. */
  private generation = 0;
  private listener: pg.Client | undefined;
  private listening = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** The round trip on the LISTEN connection that is being answered. */
  private catchUpOnWire: Promise<unknown> = Promise.resolve();
  /** The next round trip, not sent yet: every request arriving now waits for it. */
  private nextCatchUp: Promise<unknown> | undefined;

  constructor(private readonly orm: Orm) {}

  /** Starts listening; verification works (uncached) even if this fails. */
  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.forget();
    await this.listener?.end().catch(() => undefined);
  }

  /** The live, unexpired key with this secret, or null. */
  async verify(secret: string): Promise<KeyIdentity | null> {
    const hash = hashSecret(secret);
    const key = (await this.cached(hash)) ?? (await this.lookUp(hash));
    if (!key) return null;
    return key.expiresAt && millisecondsOf(key.expiresAt) <= Date.now() ? null : key;
  }

  /** The cached key, once every notification committed before this call has been handled; null if none or unsure. */
  private async cached(hash: string): Promise<KeyIdentity | null> {
    const listener = this.listener;
    if (!this.listening || !listener || !this.cache.has(hash)) return null;
    try {
      await this.catchUp(listener);
    } catch {
      return null;
    }
    return (this.listening && this.cache.get(hash)) || null;
  }

  private catchUp(listener: pg.Client): Promise<unknown> {
    this.nextCatchUp ??= this.catchUpOnWire
      .catch(() => undefined)
      .then(() => {
        this.nextCatchUp = undefined;
        return (this.catchUpOnWire = listener.query('select 1'));
      });
    return this.nextCatchUp;
  }

  private async lookUp(hash: string): Promise<KeyIdentity | null> {
    const generation = this.generation;
    const key = await findLiveKey(this.orm.em.fork(), hash);
    if (key && this.listening && generation === this.generation) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
      this.cache.set(hash, key);
    }
    return key;
  }

  private forget(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.orm.config.get('clientUrl') });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = undefined;
      this.forget();
      client.end().catch(() => undefined);
      if (this.stopped) return;
      logger.warn(
        { err: error },
        'API key change notifications lost: checking every request against the database until they are back',
      );
      this.reconnectTimer = setTimeout(() => void this.listen(), RECONNECT_MS).unref();
    };
    this.listener = client;
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => this.forget());
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      // Anything changed before LISTEN took effect is unknown: start empty.
      this.forget();
      this.listening = true;
    } catch (error) {
      lost(error as Error);
    }
  }
}
