import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withClient } from './database';
import { type CliResult, runCli } from './cli';
import type { CliMode } from './cli-modes';

const ORDER = {
  timestamp: '2025-11-18T14:30:00.123456+00:00',
  event_type: 'order_submitted',
  order_id: 'exit-codes-1',
  symbol: 'SPY',
  side: 'buy',
  quantity: 10.0,
  price: 666.23,
  order_type: 'market',
  status: 'accepted',
  nav: 100000.0,
  model: 'SectorRotationModel_v1',
};

/** A terminal (or a cron mail) gets plain lines: never a stack, a statement, or an error-level JSON log line. */
function expectNothingLeaked(result: CliResult) {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/\b(select|insert into|update \w+ set|delete from|relation "\w+")\b/i);
  expect(result.stderr).not.toMatch(/"level":(50|60)/);
}

/**
 * Every command's exit codes — 0 done, clean or intact; 1 findings, tampered
 * or a file not imported; 2 could not run — in one database mode, from a
 * database that is not even there to a tampered one. The steps share one
 * database and run in order.
 */
export function describeExitCodes(name: string, makeMode: () => Promise<CliMode>) {
  describe(`every command's exit code, ${name}`, () => {
    let mode: CliMode;
    const run = async (args: string[], code: number, output?: { stdout?: RegExp; stderr?: RegExp }) => {
      const result = await runCli(args, mode.env, mode.cwd);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code,
        stderr: expect.stringMatching(output?.stderr ?? /^/),
      });
      if (output?.stdout) expect(result.stdout).toMatch(output.stdout);
      expectNothingLeaked(result);
      return result;
    };
    const file = (fileName: string) => path.join(mode.cwd, fileName);

    beforeAll(async () => {
      mode = await makeMode();
      await writeFile(file('orders.jsonl'), `${JSON.stringify(ORDER)}\n`);
      await writeFile(file('broken.jsonl'), '{"event_type": "order_submitted"\n');
      await writeFile(file('stale.graphql'), 'type Query { stale: Int }\n');
    });
    afterAll(() => mode.close());

    /** Refusals made before any database is opened: the same in both modes, so one mode runs them. */
    const argumentCheck = (args: string[], code: number, output?: { stdout?: RegExp; stderr?: RegExp }) =>
      mode.runsArgumentChecks ? run(args, code, output) : undefined;

    it('exits 2 with one line on a database that is not migrated, and serve --no-migrate refuses it', async () => {
      await run(['verify'], 2, {
        stderr: new RegExp(
          [
            '^auditgraph: (the database is not migrated|',
            'there is no embedded database in \\S+pg \\(DATABASE_URL is unset\\)',
            '): run `auditgraph migrate`',
          ].join(''),
          'm',
        ),
      });
      // serve may create the embedded cluster, then finds it not migrated.
      await run(['serve', '--no-migrate'], 2, {
        stderr: /^auditgraph: the database is not migrated: run `auditgraph migrate`$/m,
      });
      await run(['report', 'daily-summary', '--date', '2025-11-18'], 2, {
        stderr: /^auditgraph: the database is not migrated: run `auditgraph migrate`$/m,
      });
      await run(['integrate'], 2, { stderr: /^auditgraph: the database is not migrated: run `auditgraph migrate`$/m });
    });

    it('migrate, seed and integrate: 0 done, 2 when seeding a database that holds rows', async () => {
      await run(['migrate'], 0, { stdout: /^applied: Migration\d+/ });
      await run(['seed', '--scale', '0.01', '--anchor', '2025-10-01'], 0, { stdout: /"tradeDecisions": 100/ });
      await run(['seed', '--scale', '0.01'], 2, {
        stderr: /^auditgraph: the database already holds \d+ rows in \w+; seed only an empty database$/m,
      });
      await run(['integrate'], 0, { stdout: /^tree size [1-9]\d*, root \S+$/m });
    });

    it('import: 0 imported, 1 a file refused, 2 a file that is not there', async () => {
      await run(['import', file('orders.jsonl')], 0, { stdout: /trade_decisions \+1/ });
      await run(['import', file('broken.jsonl')], 1, { stderr: /broken\.jsonl was not imported/ });
      await argumentCheck(['import', file('missing.jsonl')], 2, { stderr: /^auditgraph: no such file: /m });
    });

    it('report and integrity: 0 done or clean, 1 findings, 2 bad arguments', async () => {
      await run(['report', 'daily-summary', '--date', '2025-11-18', '--format', 'json'], 0, {
        stdout: /"date": "2025-11-18"/,
      });
      // The imported order has stayed pending for over a week: a finding.
      await run(['integrity', '--quarter', '2025Q4'], 1, { stderr: /^integrity: \d+ findings$/m });
      await run(['integrity', '--quarter', '2020Q1'], 0, { stderr: /^integrity: clean$/m });
      await argumentCheck(['report', 'daily-summary', '--date', '2025-13-01'], 2, {
        stderr: /must be a date as YYYY-MM-DD/,
      });
      await argumentCheck(['integrity'], 2, { stderr: /pass --quarter 2026Q3, or --from and --to/ });
    });

    it('keys, retention, storage, schema and usage: 0 done, 1 a stale schema file, 2 refused', async () => {
      await run(['keys', 'create', '--name', 'cron', '--role', 'integrity'], 0, { stdout: /^ag_\S+$/m });
      await run(['keys', 'list'], 0, { stdout: /cron/ });
      await run(['keys', 'revoke', 'cron'], 0, { stdout: /^revoked key \d+ "cron"/ });
      await run(['keys', 'revoke', 'cron'], 2, { stderr: /^auditgraph: no live key has the id or name "cron"$/m });
      await run(['retention', 'purge', '--older-than', '730d'], 0, { stdout: /^dry run: would purge/ });
      await run(['storage'], 0, { stdout: /^total: \d+(\.\d)? (B|KB|MB|GB)$/m });
      await argumentCheck(['retention', 'purge', '--older-than', '30d'], 2, { stderr: /pass --allow-short-window/ });
      await argumentCheck(['schema', '--check', '--output', path.join(__dirname, '../../schema.graphql')], 0);
      await argumentCheck(['schema', '--check', '--output', file('stale.graphql')], 1, {
        stderr: /stale\.graphql is out of date/,
      });
      await argumentCheck(['migration-create', '--bogus'], 2, { stderr: /unknown option '--bogus'/ });
    });

    it('hold and retention policy: 0 done, 2 refused', async () => {
      const placed = await run(['hold', 'place', '--symbol', 'SPY', '--reason', 'exit codes', '--actor', 'cron'], 0, {
        stdout: /^placed legal hold \d+ on symbol SPY; recorded as event #\d+$/m,
      });
      const id = /legal hold (\d+)/.exec(placed.stdout)![1]!;
      await run(['hold', 'list'], 0, { stdout: /symbol SPY/ });
      await run(['retention', 'purge'], 0, { stdout: /^dry run: would purge .*; \d+ kept under a legal hold;/m });
      await run(['hold', 'release', id, '--reason', 'done', '--actor', 'cron'], 0, { stdout: /^released legal hold/ });
      await run(['hold', 'release', id, '--reason', 'again', '--actor', 'cron'], 2, {
        stderr: /^auditgraph: legal hold \d+ is released already$/m,
      });
      await run(['retention', 'policy'], 0, { stdout: /^payloadBodies\s+90\s+730\s+2557\s/m });
      await argumentCheck(['hold', 'place', '--from', '2026-02-02', '--to', '2026-02-01', '--reason', 'r'], 2, {
        stderr: /a period runs forward/,
      });
      // Seven commands, each starting the embedded server itself when DATABASE_URL is unset.
    }, 300_000);

    it('verify: 0 intact, 1 tampered (on a server it shares, and on one it starts), 2 bad arguments', async () => {
      // What import wrote is integrated first (no integrator runs here): otherwise it is a finding past the bound.
      await run(['integrate'], 0, { stdout: /^tree size [1-9]\d*, root \S+$/m });
      await run(['verify'], 0, { stdout: /^intact: / });
      await argumentCheck(['verify', '--limit', '0'], 2, { stderr: /--limit must be a whole number/ });
      await mode.withServer((url) =>
        withClient(url, async (client) => {
          // The import's rows are the Merkle tree's to prove; what verify --full checks here is the legacy
          // chain, so the tamper is an event forged into it (a chain hash that links to nothing).
          await client.query(`insert into audit_events (log_type, event, actor, occurred_at, prev_hash, hash)
            values ('SYSTEM', 'forged', 'someone', now(), '\\x01', '\\x02')`);
          await run(['verify', '--full'], 1, { stdout: /^first break: event #\d+: /m });
        }),
      );
      await run(['verify', '--full'], 1, { stdout: /^TAMPERED \(full\): / });
    });
  });
}
