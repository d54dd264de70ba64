import { isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';
import pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { RateLimitStore } from '../../base/config';
import { logger } from '../../base/logger';

/** The window a limit counts requests in. */
export const RATE_LIMIT_WINDOW_S = 60;
/**
 * Connections of the shared store's own pool: one upsert per request, a
 * millisecond each, so a few carry a gateway's load.
 */
const STORE_CONNECTIONS = 4;
/**
 * How long a request waits for the shared store before the process's own
 * count decides instead: a slow or unreachable database must not hold every
 * request (the database-outage answer, 503, is the resolvers' to give).
 */
const STORE_WAIT_MS = 2_000;

/** What the limiter says of one request: whether it may go on, and the numbers the standard headers carry. */
export type RateLimitVerdict = { allowed: boolean; limit: number; remaining: number; resetS: number };

/**
 * At most `perMinute` requests per caller in each fixed minute, counted in
 * `store`: with `postgres`, rate-limiter-flexible's PostgreSQL store over
 * `rate_limit_counters` on a small writable pool of its own, so every gateway
 * on the database counts together; with `memory`, this process alone. A
 * shared store that fails or is slower than STORE_WAIT_MS gives way to an
 * in-memory count of the same limit (rate-limiter-flexible's insurance
 * limiter), so an outage loosens the limit to one per gateway, never drops
 * requests. Independent of the HTTP framework: the middleware adapts it.
 */
export class CallerRateLimiter {
  private constructor(
    private readonly perMinute: number,
    private readonly limiter: RateLimiterAbstract,
    private readonly pool: pg.Pool | null,
  ) {}

  static create(perMinute: number, store: RateLimitStore, databaseUrl: string): CallerRateLimiter {
    const memory = new RateLimiterMemory({ points: perMinute, duration: RATE_LIMIT_WINDOW_S });
    if (store === 'memory') return new CallerRateLimiter(perMinute, memory, null);
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: STORE_CONNECTIONS,
      connectionTimeoutMillis: STORE_WAIT_MS,
      statement_timeout: STORE_WAIT_MS,
    });
    // An idle connection dropped by the server must not crash the process; the next request reconnects.
    pool.on('error', (error) => logger.warn({ err: error }, 'rate limit store connection lost'));
    const shared = new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limit_counters',
      tableCreated: true, // by a migration, not by the library at run time
      keyPrefix: 'graphql',
      points: perMinute,
      duration: RATE_LIMIT_WINDOW_S,
      insuranceLimiter: memory,
    });
    return new CallerRateLimiter(perMinute, shared, pool);
  }

  /** Counts one request of `caller` (see callerKey) and says whether it is within the limit. */
  async consume(caller: string): Promise<RateLimitVerdict> {
    try {
      return this.verdict(true, await this.limiter.consume(caller));
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return this.verdict(false, outcome);
      throw outcome;
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }

  private verdict(allowed: boolean, res: RateLimiterRes): RateLimitVerdict {
    return {
      allowed,
      limit: this.perMinute,
      remaining: res.remainingPoints,
      resetS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }
}

/**
 * The caller a request is counted against: its API key, else its address —
 * an IPv6 address by its /56, which one subscriber is usually given whole (so
 * cycling through it is one caller), and an IPv4-mapped one as the IPv4 address.
 */
export function callerKey(caller: { keyId: string } | { address: string }): string {
  if ('keyId' in caller) return `key:${caller.keyId}`;
  let address = caller.address;
  if (isIPv6(address)) {
    const parsed = new Address6(address);
    address = parsed.isMapped4() ? parsed.to4().correctForm() : new Address6(`${address}/56`).networkForm();
  }
  return `address:${address}`;
}
