import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../src/base/config';
import { DEFAULT_POLICY, parseRetentionPolicy } from '../src/retention/retention-policy';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase } from './harness/database';

/** The retention policy: the seed's schedule by default, a JSON file's when AUDITGRAPH_RETENTION_POLICY_FILE names one. */
describe('the retention policy', () => {
  let folder: string;
  let database: TestDatabase;
  let file: string;
  const env = (policy?: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    ...(policy === undefined ? {} : { AUDITGRAPH_RETENTION_POLICY_FILE: policy }),
  });
  const withPolicy = async (text: string) => {
    await writeFile(file, text);
    return file;
  };

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-policy-'));
    file = path.join(folder, 'retention policy.json');
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it("is the logging spec's schedule by default: hot 90 days, warm to 2 years, cold to 7; system logs 1 year; compliance for good", async () => {
    const result = await runCli(['retention', 'policy', '--format', 'json'], env());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ file: null, tiers: DEFAULT_POLICY });
    expect(DEFAULT_POLICY.payloadBodies).toEqual({ hotDays: 90, databaseDays: 730, keepDays: 2557 });
    expect(DEFAULT_POLICY.systemLogs).toEqual({ hotDays: 30, databaseDays: 365, keepDays: 365 });
    expect(DEFAULT_POLICY.complianceRecords).toEqual({
      hotDays: 'permanent',
      databaseDays: 'permanent',
      keepDays: 'permanent',
    });
    const text = await runCli(['retention', 'policy'], env());
    expect(text.stdout).toMatch(/^payloadBodies\s+90\s+730\s+2557\s/m);
    expect(text.stdout).toMatch(/^complianceRecords\s+permanent\s+permanent\s+permanent\s/m);
  });

  it('takes the record types and tiers a file gives, the seed’s for the rest', async () => {
    const policy = await withPolicy(
      JSON.stringify({ payloadBodies: { databaseDays: 1095 }, systemLogs: { keepDays: 'permanent' } }),
    );
    const result = await runCli(['retention', 'policy', '--format', 'json'], env(policy));
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.file).toBe(policy);
    expect(shown.tiers.payloadBodies).toEqual({ hotDays: 90, databaseDays: 1095, keepDays: 2557 });
    expect(shown.tiers.systemLogs).toEqual({ hotDays: 30, databaseDays: 365, keepDays: 'permanent' });
    expect(shown.tiers.tradeRecords).toEqual(DEFAULT_POLICY.tradeRecords);
  });

  it.each([
    ['malformed JSON', '{"payloadBodies": {', /is not JSON/],
    ['not an object', '[1, 2]', /the file must hold one JSON object of record types/],
    [
      'an unknown record type',
      '{"emails": {"keepDays": 10}}',
      /emails is not known \(known: payloadBodies, tradeRecords,/,
    ],
    [
      'an unknown key',
      '{"payloadBodies": {"databaseDay": 10}}',
      /payloadBodies\.databaseDay is not known \(known: hotDays, databaseDays, keepDays\)/,
    ],
    [
      'negative days',
      '{"payloadBodies": {"hotDays": -1}}',
      /payloadBodies\.hotDays must be a whole number of days from 0 to 365250, or "permanent"/,
    ],
    ['fractional days', '{"systemLogs": {"keepDays": 1.5}}', /systemLogs\.keepDays must be a whole number/],
    ['days as text', '{"systemLogs": {"keepDays": "365"}}', /systemLogs\.keepDays must be a whole number/],
    [
      'a tier that is not an object',
      '{"systemLogs": 365}',
      /systemLogs must be an object of hotDays, databaseDays, keepDays/,
    ],
    [
      'hot longer than the database',
      '{"payloadBodies": {"hotDays": 800}}',
      /payloadBodies\.hotDays is longer than its databaseDays/,
    ],
    [
      'the database longer than kept',
      '{"systemLogs": {"databaseDays": "permanent"}}',
      /systemLogs\.databaseDays is longer than its keepDays/,
    ],
    ['a prototype key', '{"__proto__": {"hotDays": 1}}', /__proto__ is not known/],
  ])('refuses %s with exit 2, naming the file and the key', async (_name, text, message) => {
    const policy = await withPolicy(text);
    const result = await runCli(['retention', 'policy'], env(policy));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`retention policy ${policy}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(() => parseRetentionPolicy(text, policy)).toThrow(ConfigError);
  });

  it('refuses a policy file that cannot be read, naming it', async () => {
    const missing = path.join(folder, 'missing.json');
    const result = await runCli(['retention', 'policy'], env(missing));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`retention policy ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read: ENOENT`),
    );
  });

  it("gives retention purge its default window: the policy's databaseDays for payload bodies", async () => {
    expect((await runCli(['migrate'], env())).code).toBe(0);
    const longer = await withPolicy('{"payloadBodies": {"databaseDays": 1000}}');
    const planned = await runCli(['retention', 'purge', '--format', 'json'], env(longer));
    expect(planned.code).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({ olderThanDays: 1000, executed: false });
    // A flag still wins over the policy.
    const flagged = await runCli(['retention', 'purge', '--older-than', '800d', '--format', 'json'], env(longer));
    expect(JSON.parse(flagged.stdout)).toMatchObject({ olderThanDays: 800 });

    const short = await withPolicy('{"payloadBodies": {"hotDays": 10, "databaseDays": 30}}');
    const refused = await runCli(['retention', 'purge'], env(short));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /keeps payload bodies 30 days, inside the 730-day window .* pass --allow-short-window/,
    );
    const allowed = await runCli(['retention', 'purge', '--allow-short-window', '--format', 'json'], env(short));
    expect(JSON.parse(allowed.stdout)).toMatchObject({ olderThanDays: 30 });

    const forever = await withPolicy('{"payloadBodies": {"databaseDays": "permanent", "keepDays": "permanent"}}');
    const none = await runCli(['retention', 'purge'], env(forever));
    expect({ code: none.code, stderr: none.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/keeps payload bodies in the database permanently: there is nothing to purge/),
    });
  });
});
