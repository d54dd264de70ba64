import fc from 'fast-check';
import { ReplayLag } from '../src/database/replicas/replay-lag';
import { walPosition } from '../src/database/replicas/wal-position';

const HORIZON_MS = 5_000;

/** Probes of the primary: each a step in time and how much WAL it flushed since the previous (often none). */
const probes = fc.array(
  fc.record({
    afterMs: fc.integer({ min: 1, max: 2_000 }),
    flushed: fc.oneof(fc.constant(0n), fc.bigInt(1n, 1n << 20n)),
  }),
  { minLength: 1, maxLength: 40 },
);

/** The primary's WAL position and time at each probe, from 0/1000000 at t = 0. */
function historyOf(steps: { afterMs: number; flushed: bigint }[]): { position: bigint; at: number }[] {
  let position = 0x1000000n;
  let at = 0;
  return steps.map((step) => {
    position += step.flushed;
    at += step.afterMs;
    return { position, at };
  });
}

/** The lag by definition: since the primary was first seen past `replayed`. */
function expectedLag(history: { position: bigint; at: number }[], replayed: bigint, now: number): number {
  const first = history.find((sample) => sample.position > replayed);
  return first ? now - first.at : 0;
}

describe('walPosition: a pg_lsn as a byte offset', () => {
  test('reads any position PostgreSQL prints, high and low halves in hex, in order', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, (1n << 64n) - 1n), (offset) => {
        const text = `${(offset >> 32n).toString(16).toUpperCase()}/${(offset & 0xffffffffn).toString(16).toUpperCase()}`;
        expect(walPosition(text)).toBe(offset);
      }),
    );
    expect(walPosition('16/B374D848')).toBe(0x16b374d848n);
  });

  test.each(['', '16', '16/', '/B374D848', '16/B374D848/0', 'G/0', '123456789/0', ' 0/0'])('refuses %j', (text) =>
    expect(() => walPosition(text)).toThrow(/not a WAL position/),
  );
});

describe('ReplayLag: how far behind the primary a replica replays', () => {
  test('is the time since the primary first passed what the replica has replayed, within the horizon', () => {
    fc.assert(
      fc.property(probes, fc.nat(), fc.integer({ min: 0, max: 3_000 }), (steps, pick, lateMs) => {
        const history = historyOf(steps);
        const lag = new ReplayLag(HORIZON_MS);
        for (const sample of history) lag.observePrimary(sample.position, sample.at);
        const now = history.at(-1)!.at + lateMs;
        // Replayed up to one of the primary's positions, or just short of it.
        const target = history[pick % history.length]!.position - BigInt(pick % 2);
        const expected = expectedLag(history, target, now);
        const reported = lag.lagMs(target, now);
        if (expected <= HORIZON_MS) expect(reported).toBe(expected);
        // Past the horizon the exact figure is gone: still past the horizon, and never more than the truth.
        else expect(reported > HORIZON_MS && reported <= expected).toBe(true);
      }),
    );
  });

  test('is 0 for a caught-up replica, however long the primary has been idle', () => {
    fc.assert(
      fc.property(probes, fc.integer({ min: 0, max: 10_000_000 }), (steps, idleMs) => {
        const history = historyOf(steps);
        const lag = new ReplayLag(HORIZON_MS);
        for (const sample of history) lag.observePrimary(sample.position, sample.at);
        expect(lag.lagMs(history.at(-1)!.position, history.at(-1)!.at + idleMs)).toBe(0);
      }),
    );
  });

  test('grows with the time a stalled replica waits, past any bound', () => {
    const lag = new ReplayLag(HORIZON_MS);
    for (let at = 0; at <= 60_000; at += 100) lag.observePrimary(BigInt(1_000 + at), at);
    expect(lag.lagMs(999n, 60_000)).toBeGreaterThan(HORIZON_MS);
    expect(lag.lagMs(60_000n + 1_000n, 60_000)).toBe(0);
  });
});
