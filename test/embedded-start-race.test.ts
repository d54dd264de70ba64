import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './harness/cli';

/**
 * Commands that start their own embedded PostgreSQL at the same moment (two
 * gateways, cron jobs, test workers) each find a free port and then bind it:
 * one that loses its port to another in between starts on the next one
 * instead of failing.
 */
describe('embedded PostgreSQL servers starting at once', () => {
  const STARTS = 4;
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-start-race-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('each start gets a port of its own', async () => {
    const env = { ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'warn' };
    const results = await Promise.all(
      Array.from({ length: STARTS }, (_, index) =>
        runCli(['migrate'], { ...env, AUDITGRAPH_DATA_DIR: path.join(folder, `data-${index}`) }),
      ),
    );
    expect(results.map(({ code, stderr }) => ({ code, stderr }))).toEqual(
      Array.from({ length: STARTS }, () => ({ code: 0, stderr: '' })),
    );
  });
});
