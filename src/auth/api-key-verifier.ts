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
 * Verifies API keys without a database round trip per request, yet sees a
 * revocation at once: verified keys are cached only while a LISTEN connection
 * is up, and every committed change to `api_keys` (a trigger NOTIFYs) empties
 * the cache. While that connection is down, every request is checked against
 * the table. Unknown secrets are never cached, so the cache cannot be flooded.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, KeyIdentity>();
  /** Bumped by every notification, so a lookup that raced a revocation is not cached. */
  private generation = 0;
  private listener: pg.Client | undefined;
  private listening = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

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
    const key = (this.listening && this.cache.get(hash)) || (await this.lookUp(hash));
    if (!key) return null;
    return key.expiresAt && millisecondsOf(key.expiresAt) <= Date.now() ? null : key;
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
