/**
 * How far behind the primary a replica is, in time: the age of the oldest
 * primary WAL position (among those sampled) that the replica has not yet
 * replayed. PostgreSQL's own `now() - pg_last_xact_replay_timestamp()` grows
 * while the primary is idle though the replica is caught up, and would take
 * a healthy replica out of rotation; bytes behind say nothing of staleness.
 * Accurate to one sampling interval.
 */
export class ReplayLag {
  /** The primary's flushed WAL position at each sample, oldest first (the WAL only grows). */
  private readonly samples: { position: bigint; at: number }[] = [];

  /** `horizonMs`: how long samples are kept; any lag past it is reported as at least that. */
  constructor(private readonly horizonMs: number) {}

  /** The primary had flushed WAL up to `position` at `at` (ms). */
  observePrimary(position: bigint, at: number): void {
    const newest = this.samples.at(-1);
    if (newest && position <= newest.position) return;
    this.samples.push({ position, at });
    // The oldest sample stays while it is the only witness of how long a stalled replica has been behind.
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.horizonMs) this.samples.shift();
  }

  /** Milliseconds a replica that has replayed up to `replayed` is behind at `now`: 0 when caught up. */
  lagMs(replayed: bigint, now: number): number {
    const oldestUnreplayed = this.samples.find((sample) => sample.position > replayed);
    return oldestUnreplayed ? Math.max(0, now - oldestUnreplayed.at) : 0;
  }
}
