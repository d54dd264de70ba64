import { relativeDaySpan } from '../src/time/relative-days';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase } from './harness/database';
import { createReportFixture, DAY } from './harness/report-fixture';

/** What a cron script sees: `auditgraph report` and `auditgraph integrity`, their output and exit codes. */
describe('auditgraph report and auditgraph integrity', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    await createReportFixture(database.url);
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
  });
  afterAll(() => database.drop());

  it('prints a report as JSON with the same numbers as the GraphQL query', async () => {
    const result = await runCli(['report', 'daily-summary', '--date', DAY, '--format', 'json'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      date: DAY,
      ingestion: { runs: 2, recordsFetched: 3, failed: 1 },
      failureRate: 0.4,
      failureRateExceeded: true,
      stuckPendingCount: 1,
    });
  });

  it('prints the trade blotter as CSV, header first', async () => {
    const result = await runCli(['report', 'trade-blotter', '--date', DAY, '--format', 'csv'], env);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(',')[1]),
    ).toEqual(['executionId', 'e1', 'e5', 'e5b', 'e6']);
  });

  it('prints a table for people, naming the symbols that fail repeatedly', async () => {
    const result = await runCli(['report', 'failure-analysis', '--from', DAY, '--to', DAY], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^grouped by\s+key\s+count$/m);
    expect(result.stdout).toMatch(/^symbol \(repeated\)\s+AAPL\s+3$/m);
    expect(result.stdout).toMatch(/^reason\s+insufficient buying power\s+1$/m);
  });

  it('runs every report', async () => {
    for (const args of [
      ['strategy-performance', '--from', DAY, '--to', DAY, '--strategy', 'SectorRotationModel_v1'],
      ['symbol', '--symbol', 'NVDA', '--from', DAY, '--to', DAY],
      ['api-errors', '--from', DAY, '--to', DAY],
    ]) {
      const result = await runCli(['report', ...args, '--format', 'csv'], env);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(result.stdout.trimEnd().split('\n').length).toBeGreaterThan(1);
    }
  });

  it('exits 1 when the integrity audit finds something, with every finding in the output', async () => {
    const result = await runCli(['integrity', '--from', '2026-10-01', '--to', '2026-10-31', '--format', 'json'], env);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect({ clean: report.clean, totalFindings: report.totalFindings }).toEqual({ clean: false, totalFindings: 9 });
    const csv = await runCli(['integrity', '--from', '2026-10-01', '--to', '2026-10-31', '--format', 'csv'], env);
    expect(csv.code).toBe(1);
    expect(csv.stdout).toContain('STALE_PENDING_DECISION,2,TradeDecision');
    expect(csv.stdout).toContain('EXECUTION_WITHOUT_DECISION,1,TradeExecution');
  });

  it('exits 0 for a clean quarter', async () => {
    const result = await runCli(['integrity', '--quarter', '2026Q1'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('integrity: clean');
  });

  it('exits 2 when the audit cannot run (database unreachable)', async () => {
    const result = await runCli(['integrity', '--quarter', '2026Q3'], {
      ...env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('auditgraph: cannot reach the database: connect ECONNREFUSED 127.0.0.1:1\n');
  });

  it('reads yesterday, last-week and last-quarter in UTC, or in the zone --tz names', async () => {
    // Computed before and after each run, in case it straddles a midnight.
    const yesterdayIn = async (zone: string, extra: string[] = []) => {
      const before = relativeDaySpan('yesterday', zone, new Date()).first;
      const result = await runCli(
        ['report', 'daily-summary', '--date', 'yesterday', ...extra, '--format', 'json'],
        env,
      );
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect([before, relativeDaySpan('yesterday', zone, new Date()).first]).toContain(JSON.parse(result.stdout).date);
    };
    await yesterdayIn('UTC');
    await yesterdayIn('Pacific/Kiritimati', ['--tz', 'Pacific/Kiritimati']);
    for (const args of [
      ['report', 'failure-analysis', '--from', 'last-week'],
      ['report', 'execution-quality', '--from', 'last-quarter', '--to', 'yesterday'],
      ['integrity', '--quarter', 'last-quarter'],
    ]) {
      const result = await runCli(args, env);
      expect({ args, code: result.code === 2 ? result.stderr : 'ran' }).toEqual({ args, code: 'ran' });
    }
  });

  it.each([
    [['report', 'weekly-gossip', '--date', DAY], /unknown report "weekly-gossip": use one of daily-summary/],
    [['report', 'daily-summary', '--date', '2026-13-01'], /`--date` must be a date as YYYY-MM-DD/],
    [['report', 'daily-summary', '--from', DAY, '--to', DAY], /takes --date/],
    [['report', 'failure-analysis', '--from', DAY], /takes --from YYYY-MM-DD --to YYYY-MM-DD/],
    [
      ['report', 'failure-analysis', '--from', '2026-10-16', '--to', DAY],
      /`from` \(2026-10-16\) must not be after `to`/,
    ],
    [['report', 'trade-blotter', '--date', DAY, '--format', 'xml'], /argument 'xml' is invalid/],
    [['report', 'symbol', '--symbol', '$(rm -rf /)', '--from', DAY, '--to', DAY], /`symbol` must be a ticker/],
    [['integrity', '--quarter', '2026Q5'], /`quarter` must look like 2026Q3/],
    [['integrity', '--quarter', '2026Q3', '--from', DAY], /either --quarter or --from and --to/],
    [['integrity'], /pass --quarter 2026Q3, or --from and --to/],
    [['integrity', '--quarter', '2026Q3', '--limit', 'lots'], /--limit must be a whole number/],
    [['report', 'daily-sumary', '--date', DAY], /unknown report "daily-sumary" \(did you mean daily-summary\?\)/],
    [
      ['report', 'daily-summary', '--date', DAY, '--symbol', 'NVDA'],
      /^auditgraph: --symbol does not apply to the daily-summary report \(only to symbol\)$/m,
    ],
    [
      ['report', 'failure-analysis', '--from', DAY, '--to', DAY, '--strategy', 'momentum'],
      /--strategy does not apply to the failure-analysis report \(only to strategy-performance\)/,
    ],
    [['report', 'daily-summary', '--date', 'last-week'], /--date takes one day/],
    [['report', 'daily-summary', '--date', 'tomorrow'], /`--date` must be a date as YYYY-MM-DD/],
    [['integrity', '--quarter', 'next-quarter'], /`quarter` must look like 2026Q3/],
  ])('auditgraph %j exits 2 with a clear message', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
