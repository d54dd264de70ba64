import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase } from './harness/database';
import { createReportFixture, DAY, DAY_BEFORE } from './harness/report-fixture';

const executionIds = (csv: string) =>
  csv
    .trimEnd()
    .split('\n')
    .map((line) => line.split(',')[1]);

/** `auditgraph report … --time-zone`: the days of another zone, UTC's output unchanged. */
describe('auditgraph report --time-zone', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    await createReportFixture(database.url);
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
  });
  afterAll(() => database.drop());

  it("reads --date in the zone: Kiritimati's day (UTC+14) ends at 10:00 UTC, before the later fills", async () => {
    const utc = await runCli(['report', 'trade-blotter', '--date', DAY, '--format', 'csv'], env);
    const kiritimati = await runCli(
      ['report', 'trade-blotter', '--date', DAY, '--time-zone', 'Pacific/Kiritimati', '--format', 'csv'],
      env,
    );
    expect([utc.code, kiritimati.code]).toEqual([0, 0]);
    expect(executionIds(utc.stdout)).toEqual(['executionId', 'e1', 'e5', 'e5b', 'e6']);
    expect(executionIds(kiritimati.stdout)).toEqual(['executionId', 'e1']);
  });

  it('prints every report byte for byte the same with --time-zone UTC as without it', async () => {
    for (const args of [
      ['daily-summary', '--date', DAY, '--format', 'json'],
      ['trade-blotter', '--date', DAY, '--format', 'csv'],
      ['strategy-performance', '--from', DAY, '--to', DAY],
      ['failure-analysis', '--from', DAY, '--to', DAY],
      ['symbol', '--symbol', 'NVDA', '--from', DAY, '--to', DAY, '--format', 'csv'],
      ['api-errors', '--from', DAY, '--to', DAY, '--format', 'json'],
    ]) {
      const without = await runCli(['report', ...args], env);
      const withUtc = await runCli(['report', ...args, '--time-zone', 'UTC'], env);
      expect({ args, code: without.code }).toEqual({ args, code: 0 });
      expect(withUtc.stdout).toBe(without.stdout);
    }
  });

  it.each([
    ['Mars/Olympus', ['report', 'daily-summary', '--date', DAY]],
    ['UTC; drop table trade_decisions', ['report', 'failure-analysis', '--from', DAY, '--to', DAY]],
    ['+05:00', ['integrity', '--quarter', '2026Q4']],
  ])('refuses --time-zone %s before connecting, naming it (%j)', async (zone, command) => {
    const result = await runCli([...command, '--time-zone', zone], {
      ...env,
      // Nothing listens here: a refusal that connected first would say so instead.
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`\`--time-zone\` must be an IANA time zone name`);
    expect(result.stderr).toContain(JSON.stringify(zone));
  });

  it("reads the integrity audit's days in the zone too", async () => {
    const args = ['integrity', '--from', DAY, '--to', DAY, '--format', 'json'];
    const utc = await runCli(args, env);
    const kiritimati = await runCli([...args, '--time-zone', 'Pacific/Kiritimati'], env);
    // It ran (0 clean, 1 findings; the day's defects fall after Kiritimati's day ends).
    expect([utc.code, kiritimati.code]).toEqual([1, 0]);
    expect(JSON.parse(kiritimati.stdout)).toMatchObject({
      from: `${DAY_BEFORE}T10:00:00.000000Z`,
      until: `${DAY}T10:00:00.000000Z`,
    });
    expect(JSON.parse(utc.stdout)).toMatchObject({ from: `${DAY}T00:00:00.000000Z` });
  });
});
