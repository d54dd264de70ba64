import { logger } from '../base/logger';
import { withTimeout } from '../base/with-timeout';

/** How long a cheap reading is reused: Prometheus may scrape often, the database should not notice. */
export const FRESH_READING_MS = 15_000;

/**
 * A value read from the database for `/metrics` at most once per `maxAgeMs`,
 * however often Prometheus scrapes and however many scrapes arrive together:
 * the database should not notice monitoring. A failed read keeps the last
 * value (a scrape must not fail while PostgreSQL is away) and is not retried
 * before `maxAgeMs` either; `ok` says whether the newest attempt succeeded.
 */
export class CachedReading<Source, Value> {
  private source: Source | undefined;
  private value: Value | undefined;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private ok = false;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly maxAgeMs: number,
    private readonly timeoutMs: number,
    private readonly read: (source: Source) => Promise<Value>,
  ) {}

  /** What the reading reads (one gateway per process); drops the cached value, as a restart would. */
  use(source: Source): void {
    this.source = source;
    this.value = undefined;
    this.attemptedAt = Number.NEGATIVE_INFINITY;
  }

  /** The cached value, read again first when older than `maxAgeMs`; undefined before any read succeeded. */
  async current(): Promise<{ value: Value | undefined; ok: boolean } | undefined> {
    const source = this.source;
    if (source === undefined) return undefined;
    // Scrapes arriving while a read is under way wait for it, rather than take the value it replaces.
    if (!this.reading && Date.now() - this.attemptedAt > this.maxAgeMs) {
      this.reading = this.refresh(source).finally(() => {
        this.reading = undefined;
      });
    }
    await this.reading;
    return { value: this.value, ok: this.ok };
  }

  private async refresh(source: Source): Promise<void> {
    this.attemptedAt = Date.now();
    try {
      this.value = await withTimeout(this.read(source), this.timeoutMs, this.what);
      this.ok = true;
    } catch (error) {
      this.ok = false;
      logger.warn({ err: error }, `${this.what} not refreshed`);
    }
  }
}
