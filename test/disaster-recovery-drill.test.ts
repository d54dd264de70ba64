import { runDrill } from '../scripts/disaster-recovery-drill';
import { cliPath } from './harness/cli';

// The drill runs the built CLI against databases of its own, in this run's mode: DATABASE_URL's server, or
// embedded clusters of its own (three, each command starting and stopping its own): minutes, not seconds.
jest.setTimeout(900_000);

describe(`the disaster-recovery drill (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'})`, () => {
  it('restores the same head, names a flipped byte and a deleted file, refuses forged and non-empty', async () => {
    cliPath();
    const result = await runDrill();
    const failed = result.steps.filter((step) => !step.ok);
    // The transcript says which step, what it printed and what was expected.
    expect(failed.length === 0 ? 'every step as expected' : result.transcript).toBe('every step as expected');
    expect(result.steps.map(({ title, exit }) => [title, exit])).toEqual([
      ['seed the source', 0],
      ['an API key, so the export carries keys and ADMIN events', 0],
      ['integrate: the seeded records become leaves under a signed checkpoint', 0],
      ['archive bodies older than 30 days, read back before they are indexed', 0],
      ['purge bodies older than 30 days, so the export carries tombstones', 0],
      ['a full archive: every record integrated so far, each leaf with its rows (and the bodies not yet archived)', 0],
      ['the archive reads back whole', 0],
      ['export every record', 0],
      ['read the export back', 0],
      ['restore into a fresh database', 0],
      ['verify the restored database: intact, consistent with the exported checkpoint', 0],
      ['restore into a database that is not empty', 2],
      ['one byte flipped in a records file', 1],
      ['one file deleted', 1],
      ['a manifest that no longer matches its checkpoint', 2],
      ['an export that claims another tree than its checkpoint signs', 2],
      ['the refused database was left empty: the good export restores into it', 0],
    ]);
    expect(result.transcript).toMatch(/drill passed: 17 steps$/);
  });
});
