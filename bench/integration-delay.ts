import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Orm } from '../src/database/orm';
import { PayloadDirection } from '../src/entities/api-payload.entity';
import { recordApiPayloads } from '../src/record/record-api-payloads';
import type { ApiPayloadInput } from '../src/record/record-inputs';
import { instantOf } from '../src/time/instant';

// Integration delay as a producer sees it: a record's commit returns, and
// from then on, how long until its leaf is in merkle_leaves.

/** One producer write: when its commit returned (performance.now() ms), its row id, and when its leaf was seen. */
export type Write = { committedAt: number; latencyMs: number; key: string; seenAt?: number };

/**
 * A producer recording `perSecond` API payloads through the record API's SQL
 * path (what the `recordApiPayload` mutation runs, from a process of its own,
 * as an importer does), one record per transaction, open loop: each is sent
 * at its time whether or not the previous one has committed, so a slow
 * database shows as latency rather than as fewer writes.
 */
export class Producer {
  readonly writes: Write[] = [];
  errors = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: Orm,
    private readonly perSecond: number,
    /** Makes this producer's external ids its own (runs share a database). */
    private readonly tag: string,
    private readonly onCommitted: (write: Write) => void,
  ) {}

  start(): void {
    const started = performance.now();
    let sent = 0;
    const tick = () => {
      const due = Math.floor(((performance.now() - started) * this.perSecond) / 1000) + 1;
      while (sent < due) this.track(this.send(sent++));
      this.timer = setTimeout(tick, 5);
    };
    tick();
  }

  /** Stops sending and waits for the writes in flight. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all(this.inFlight);
  }

  private track(write: Promise<void>) {
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private async send(index: number): Promise<void> {
    const record: ApiPayloadInput = {
      externalId: `bench-integration-${this.tag}-${index}`,
      direction: PayloadDirection.response,
      provider: 'bench',
      endpoint: '/integration',
      httpMethod: 'GET',
      httpStatus: 200,
      payload: { index, tag: this.tag },
      createdAt: instantOf(new Date()),
    };
    const sentAt = performance.now();
    try {
      const { databaseIds } = await recordApiPayloads(this.orm.em.fork(), 'bench producer', [record]);
      const committedAt = performance.now();
      const write = { committedAt, latencyMs: committedAt - sentAt, key: databaseIds[0]! };
      this.writes.push(write);
      this.onCommitted(write);
    } catch (error) {
      if (this.errors++ === 0) console.error(`producer: ${String(error)}`);
    }
  }
}

const POLL_MS = 10;

/**
 * One poller for every write waiting for its leaf: every 10 ms, one indexed
 * lookup by (source, record_key) of all of them; a write's `seenAt` is when
 * the answer that held its leaf arrived.
 */
export class LeafWatcher {
  private readonly pending = new Map<string, Write>();
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<LeafWatcher> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench leaf watcher' });
    await client.connect();
    const watcher = new LeafWatcher(client);
    watcher.running = watcher.poll();
    return watcher;
  }

  watch(write: Write): void {
    this.pending.set(write.key, write);
  }

  /** Waits until every watched write's leaf was seen, or `timeoutMs`; answers how many were never seen. */
  async drain(timeoutMs: number): Promise<number> {
    const until = performance.now() + timeoutMs;
    while (this.pending.size > 0 && performance.now() < until) await sleep(POLL_MS);
    return this.pending.size;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.client.end();
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      if (this.pending.size > 0) {
        const { rows } = await this.client.query<{ key: string }>(
          `select record_key as key from merkle_leaves where source = 'api_payloads' and record_key = any($1::text[])`,
          [[...this.pending.keys()]],
        );
        const seenAt = performance.now();
        for (const { key } of rows) {
          this.pending.get(key)!.seenAt = seenAt;
          this.pending.delete(key);
        }
      }
      await sleep(POLL_MS);
    }
  }
}

/**
 * The gateway's integration batches so far that added leaves, and their total
 * seconds, from its metrics (auditgraph_integration_batch_seconds; /metrics wants an admin key).
 */
export async function integrationBatches(
  origin: string,
  adminSecret: string,
): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${adminSecret}` } })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    count: value('auditgraph_integration_batch_seconds_count'),
    seconds: value('auditgraph_integration_batch_seconds_sum'),
  };
}

/**
 * bench/integrator-process.ts as a child process, its batches (those that
 * added leaves) timed as they are reported: the integrator with an event loop
 * of its own, for comparison with serve's.
 */
export class SeparateIntegrator {
  private readonly reported: { at: number; ms: number }[] = [];

  private constructor(private readonly child: ChildProcess) {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [, ms, leaves] = line.split(' ');
        if (Number(leaves) > 0) this.reported.push({ at: performance.now(), ms: Number(ms) });
      }
    });
  }

  static start(databaseUrl: string, intervalMs: number): SeparateIntegrator {
    const script = path.join(__dirname, 'integrator-process.js');
    return new SeparateIntegrator(
      spawn(process.execPath, [script], {
        env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, INTERVAL_MS: String(intervalMs), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
  }

  /** Batches reported between `from` and `to` (performance.now() ms), and their total seconds. */
  batchesBetween(from: number, to: number): { count: number; seconds: number } {
    const within = this.reported.filter(({ at }) => at >= from && at <= to);
    return { count: within.length, seconds: within.reduce((sum, { ms }) => sum + ms, 0) / 1000 };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The q-quantile (nearest rank) of some numbers; NaN for none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
