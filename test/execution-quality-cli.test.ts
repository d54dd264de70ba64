import { createOrm } from '../src/database/orm';
import { executionQuality } from '../src/reports/execution-quality.report';
import { parseExactJson } from '../src/json/exact-json';
import { runCli } from './harness/cli';
import { type CliMode, databaseUrlMode, embeddedMode } from './harness/cli-modes';

const PERIOD = ['--from', '2026-06-01', '--to', '2026-09-30'];
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * `auditgraph report execution-quality` as cron runs it — from a folder that
 * is not the installation, in both database modes — on generated data: the
 * same rows as the report's function, real slippage against every kind of
 * reference, and exit 2 with one line for malformed periods.
 */
describe.each([
  // Malformed periods are refused before any database opens, the same in both modes: one mode runs them.
  ['DATABASE_URL set', databaseUrlMode, true],
  ['DATABASE_URL unset (embedded PostgreSQL)', embeddedMode, false],
])('auditgraph report execution-quality, %s', (_name, makeMode, checksArguments) => {
  let mode: CliMode;
  const run = (args: string[]) =>
    runCli(['report', 'execution-quality', ...args], { ...mode.env, LOG_LEVEL: 'warn' }, mode.cwd);

  beforeAll(async () => {
    mode = await makeMode();
    expect((await runCli(['migrate'], mode.env, mode.cwd)).code).toBe(0);
    const seeded = await runCli(['seed', '--scale', '0.05', '--anchor', '2026-10-01'], mode.env, mode.cwd);
    expect(seeded.code).toBe(0);
  });
  afterAll(() => mode.close());

  it('prints JSON equal to the report function, with slippage on generated data from each source', async () => {
    const result = await run([...PERIOD, '--format', 'json']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = parseExactJson(result.stdout) as Awaited<ReturnType<typeof executionQuality>>;
    const direct = await mode.withServer(async (url) => {
      const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
      try {
        return await executionQuality(orm.em.fork(), { from: '2026-06-01', to: '2026-09-30' });
      } finally {
        await orm.close();
      }
    });
    expect(rows).toEqual(JSON.parse(JSON.stringify(direct)));

    const total = (field: 'referenceFromLimitPrice' | 'referenceFromRationale' | 'withoutReference') =>
      rows.reduce((sum, row) => sum + row[field], 0);
    // Limit orders (30%), the price-driven models' quotes, and the filing-driven models' market orders.
    expect(total('referenceFromLimitPrice')).toBeGreaterThan(0);
    expect(total('referenceFromRationale')).toBeGreaterThan(0);
    expect(total('withoutReference')).toBeGreaterThan(0);
    const priced = rows.filter((row) => row.slippageBps !== null);
    expect(priced.length).toBeGreaterThan(0);
    for (const row of priced) {
      expect([row.slippageCost, row.averageSlippage, row.slippageBps, row.worstSlippageBps]).toEqual(
        Array(4).fill(expect.stringMatching(DECIMAL)),
      );
      expect(row.slippageBps).toMatch(/\.\d{2}$/);
    }
    expect(priced.some((row) => row.slippageBps !== '0.00')).toBe(true);
    expect(rows.every((row) => row.brokerLatency.measured > 0 || row.executions === 0)).toBe(true);
  });

  it('prints CSV and a table with a row per strategy and symbol', async () => {
    const csv = await run([...PERIOD, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^strategy,symbol,executions,fills,ref limit price,ref rationale,ref request,no ref,/);
    expect(lines.length).toBeGreaterThan(2);
    const table = await run(PERIOD);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^strategy\s+symbol\s+executions\s+fills/);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(lines.length + 1);
  });

  const malformed: [string[], RegExp][] = [
    [['--from', '2026-13-01', '--to', '2026-09-30'], /`from` must be a date as YYYY-MM-DD/],
    [['--from', '2026-09-30', '--to', '2026-02-30'], /`to` must be a date as YYYY-MM-DD/],
    [['--from', '2026-10-01', '--to', '2026-09-30'], /`from` \(2026-10-01\) must not be after `to` \(2026-09-30\)/],
    [['--from', '2026-09-01'], /takes --from YYYY-MM-DD --to YYYY-MM-DD/],
    [['--date', '2026-09-01'], /takes --from YYYY-MM-DD --to YYYY-MM-DD, or --from last-week \(not --date\)/],
    [[...PERIOD, '--format', 'xml'], /argument 'xml' is invalid/],
  ];
  if (checksArguments)
    it.each(malformed)('%j exits 2 with one line', async (args, message) => {
      const result = await run(args);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/^\s+at |select /m);
    });
});
