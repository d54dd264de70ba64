import { CachedReading } from '../src/metrics/cached-reading';

/** The cache every database gauge of /metrics reads through: one read per interval, whoever scrapes. */
describe('CachedReading', () => {
  it('gives scrapes arriving together the one read under way, and reads again only when stale', async () => {
    let reads = 0;
    let release!: () => void;
    const reading = new CachedReading('test reading', 50, 1_000, async (start: number) => {
      reads += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return start + reads;
    });
    expect(await reading.current()).toBeUndefined();
    reading.use(10);
    const together = Promise.all([reading.current(), reading.current(), reading.current()]);
    release();
    expect(await together).toEqual(Array(3).fill({ value: 11, ok: true }));
    expect(await reading.current()).toEqual({ value: 11, ok: true });
    expect(reads).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const later = reading.current();
    release();
    expect(await later).toEqual({ value: 12, ok: true });
  });

  it('keeps the last value when a read fails or times out, says so, and waits the interval to retry', async () => {
    let fail = false;
    let reads = 0;
    const reading = new CachedReading('test reading', 50, 20, async () => {
      reads += 1;
      if (fail) await new Promise((resolve) => setTimeout(resolve, 100));
      return 'fresh';
    });
    reading.use('the database');
    expect(await reading.current()).toEqual({ value: 'fresh', ok: true });
    fail = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await reading.current()).toEqual({ value: 'fresh', ok: false });
    expect(await reading.current()).toEqual({ value: 'fresh', ok: false });
    expect(reads).toBe(2);
  });
});
