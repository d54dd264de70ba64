import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many requests a caller made in its current minute, shared by every
 * gateway on the database so a limit holds across them. The layout is
 * rate-limiter-flexible's PostgreSQL store's (src/server/rate-limit/), which
 * upserts one row per caller and request. Operational and mutable: not a
 * record, not exported; expired rows are deleted by the store itself.
 */
@Entity({ tableName: 'rate_limit_counters' })
export class RateLimitCounter {
  /** The caller: `key:<api key id>` or `address:<client address>`. */
  @PrimaryKey({ type: 'varchar', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points!: number;

  /** When the minute ends, in milliseconds since the epoch (the store's clock). */
  @Property({ type: 'bigint', nullable: true })
  expire?: string | null;
}
