import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase } from './harness/database';

/**
 * Issue 15 item 12 at the terminal: the CLI's date, period and quarter
 * options take the same supported range as GraphQL (one parser, src/time),
 * answering exit 2 with a one-line reason outside it and never a stack trace.
 */
describe('dates at the edges of the supported range, from the CLI', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
  });
  afterAll(() => database.drop());

  it.each([
    [['report', 'daily-summary', '--date', '0099-12-31'], 0],
    [['report', 'trade-blotter', '--date', '9999-12-31'], 0],
    [['report', 'failure-analysis', '--from', '0100-02-29', '--to', '0100-03-01'], 2],
    [['report', 'daily-summary', '--date', '10000-01-01'], 2],
    [['report', 'daily-summary', '--date', '2026-02-30'], 2],
    [['integrity', '--quarter', '9999Q4', '--format', 'json'], 0],
    [['report', 'api-errors', '--from', '2026-01-01', '--to', '9999-12-31'], 0],
    [['integrity', '--quarter', '0000Q4'], 2],
    [['keys', 'create', '--name', 'edge', '--role', 'investigator', '--expires', '9999-12-31T23:59:59-12:00'], 2],
  ])('auditgraph %j exits %i', async (args, code) => {
    const result = await runCli(args, env);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code });
    expect(result.stderr).not.toMatch(/\n\s+at |INTERNAL|select |Error:/);
    if (code === 2) expect(result.stderr).toMatch(/0001-01-01(T00:00:00Z)? through 9999-12-31|0001Q1 through 9999Q4/);
  });
});
