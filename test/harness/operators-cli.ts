import { withClient } from './database';
import { type CliResult, runCli } from './cli';
import type { CliMode } from './cli-modes';
import { createLogKey, type LogKey } from './proof-log';

/** A fixed day: the `--by` checks refuse before the day is looked at. */
const DAY = '2025-09-30';
const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * Operators on the record, in one database mode: keys rotated and revoked,
 * days attested (bound to a checkpoint, once per person and day, never a day
 * not over or not checkpointed), report runs recorded, and each refusal a
 * clear line with a stable code and nothing written. The steps share one
 * database and run in order.
 */
export function describeOperatorsOnTheRecord(name: string, makeMode: () => Promise<CliMode>) {
  describe(`operators on the record, ${name}`, () => {
    let mode: CliMode;
    let key: LogKey;
    /** The seeded day attested: the last one before the anchor with decisions. */
    let day: string;
    let twoDaysBefore: string;
    const env = () => ({ ...mode.env, AUDITGRAPH_CHECKPOINT_KEY_FILE: key.keyFile, AUDITGRAPH_ACTOR: 'Ops Ünal' });
    const run = async (args: string[], code: number, stderr: RegExp = /^/): Promise<CliResult> => {
      const result = await runCli(args, env(), mode.cwd);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code,
        stderr: expect.stringMatching(stderr),
      });
      return result;
    };
    const sql = <T>(text: string, values: unknown[] = []) =>
      mode.withServer((url) => withClient(url, async (client) => (await client.query(text, values)).rows as T[]));
    const events = () => sql<{ n: number }>('select count(*)::int as n from audit_events').then((rows) => rows[0]!.n);

    beforeAll(async () => {
      mode = await makeMode();
      key = await createLogKey(mode.cwd);
      await runCli(['migrate'], mode.env, mode.cwd);
      await runCli(['seed', '--scale', '0.01', '--anchor', '2025-10-01'], mode.env, mode.cwd);
      const [found] = await sql<{ day: string; before: string }>(
        `select to_char(d, 'YYYY-MM-DD') as day, to_char(d - interval '2 days', 'YYYY-MM-DD') as before
           from (select date_trunc('day', max(created_at) at time zone 'UTC') as d from trade_decisions) m`,
      );
      ({ day, before: twoDaysBefore } = found!);
    }, 300_000);
    afterAll(() => mode.close());

    it('refuses malformed attestations before opening the database, each naming its option', async () => {
      const refused: [string[], RegExp][] = [
        [['--date', '2025-02-30', '--by', 'A'], /`--date` must be a date as YYYY-MM-DD.*does not exist/],
        [['--date', 'yesterday', '--by', 'A'], /`--date` must be a date as YYYY-MM-DD/],
        [['--date', '', '--by', 'A'], /`--date` must be a date/],
        [['--date', DAY, '--by', ''], /^auditgraph: --by is empty/m],
        [['--date', DAY, '--by', '   '], /^auditgraph: --by is empty/m],
        [['--date', DAY, '--by', 'a\nb'], /--by holds a control character/],
        [['--date', DAY, '--by', 'é'.repeat(201)], /--by is 201 characters long: it is 1–200 characters/],
        [['--date', DAY, '--by', 'x'.repeat(100_000)], /--by is longer than 200 characters/],
        [['--date', DAY, '--by', 'A', '--note', ''], /--note is empty/],
        [['--by', 'A'], /required option '--date <day>'/],
      ];
      // Refused before any database is opened: one mode is enough.
      if (!mode.runsArgumentChecks) return;
      const before = await events();
      for (const [args, message] of refused) await run(['attest', ...args], 2, message);
      expect(await events()).toBe(before);
    });

    it('refuses a day no checkpoint covers, then attests it once per person, bound to the checkpoint', async () => {
      await run(['attest', '--date', day, '--by', 'Zoë Ångström'], 2, /\(NO_CHECKPOINT\)$/m);
      const integrated = await run(['integrate'], 0);
      expect(integrated.stdout).toMatch(/checkpoint signed at tree size \d+/);
      const summary = JSON.parse((await run(['report', 'daily-summary', '--date', day, '--format', 'json'], 0)).stdout);
      const total = (counts: { count: number }[]) => counts.reduce((sum, entry) => sum + entry.count, 0);

      const args = ['attest', '--date', day, '--by', ' Zoë Ångström ', '--note', 'Reconciled with the broker ✓'];
      const attested = JSON.parse((await run([...args, '--format', 'json'], 0)).stdout);
      const [checkpoint] = await sql<{ tree_size: string }>(
        'select tree_size::text from merkle_checkpoints order by tree_size desc limit 1',
      );
      expect(attested).toMatchObject({
        day: day,
        by: 'Zoë Ångström',
        note: 'Reconciled with the broker ✓',
        caller: 'cli Ops Ünal',
        decisions: total(summary.decisionsByStatus),
        executions: total(summary.executionsByStatus),
        checkpoint: { treeSize: Number(checkpoint!.tree_size) },
      });
      expect(attested.decisions).toBeGreaterThan(0);

      const before = await events();
      // The same person (spelt with a combining accent: the same name once normalized), the same day.
      await run(
        ['attest', '--date', day, '--by', 'Zoe\u0308 Ångström'],
        2,
        new RegExp(`has already attested ${day} \\(ALREADY_ATTESTED\\)$`, 'm'),
      );
      await run(['attest', '--date', utcDay(0), '--by', 'Zoë Ångström'], 2, /has not ended yet .*\(DAY_NOT_ENDED\)$/m);
      await run(['attest', '--date', utcDay(400), '--by', 'Zoë Ångström'], 2, /\(DAY_NOT_ENDED\)$/m);
      expect(await events()).toBe(before);
      // Another person may certify the same day.
      await run(['attest', '--date', day, '--by', '李小龍'], 0);
    }, 300_000);

    it('lists the days no one attested in the integrity report (not a finding), and records the run', async () => {
      const result = await runCli(
        ['integrity', '--from', twoDaysBefore, '--to', day, '--format', 'json'],
        env(),
        mode.cwd,
      );
      expect([0, 1]).toContain(result.code);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ unattestedDayCount: 2, unattestedDays: [twoDaysBefore, expect.any(String)] });
      expect(report.unattestedDays).not.toContain(day);
      const [run] = await sql<{ actor: string; event_data: unknown }>(
        "select actor, event_data from audit_events where event = 'report_run' order by seq desc limit 1",
      );
      expect(run).toEqual({
        actor: 'Ops Ünal',
        event_data: { report: 'integrity', options: { from: twoDaysBefore, to: day, format: 'json', limit: 100 } },
      });
    }, 300_000);

    it('rotates a key: a new secret, the old one ending after the grace period; revoking the name ends both', async () => {
      await run(['keys', 'create', '--name', 'cron', '--role', 'compliance', '--expires', '30d'], 0);
      const rotated = await run(['keys', 'rotate', 'cron', '--grace', 'PT2H'], 0, /^rotated "cron": key \d+ ends at /m);
      expect(rotated.stdout).toMatch(/^ag_\S+\n$/);
      const keys = await sql<{ id: string; replaced_by: string | null; grace: boolean }>(
        `select id::text, replaced_by::text,
                expires_at between now() + interval '1 hour 59 minutes' and now() + interval '2 hours' as grace
           from api_keys where name = 'cron' order by id`,
      );
      expect(keys).toEqual([
        { id: expect.any(String), replaced_by: keys[1]!.id, grace: true },
        { id: expect.any(String), replaced_by: null, grace: false },
      ]);
      const before = await events();
      await run(['keys', 'rotate', 'cron', '--grace', 'P31D'], 2, /grace period must be from 0 to 30 days/);
      await run(['keys', 'rotate', 'cron', '--grace', '2h'], 2, /--grace must be an ISO 8601 duration/);
      await run(['keys', 'rotate', 'nobody'], 2, /no current, unexpired key is named "nobody"/);
      expect(await events()).toBe(before);
      const revoked = await run(['keys', 'revoke', 'cron', '--actor', 'Zoë Ångström'], 0);
      expect(revoked.stdout.match(/^revoked key \d+ "cron"/gm)).toHaveLength(2);
      // Who revoked key X, who rotated it: one query over the record.
      const history = await sql<{ event: string; actor: string }>(
        `select event, actor from audit_events where log_type = 'ADMIN' and event_data @> $1::jsonb order by seq`,
        [JSON.stringify({ keyId: keys[0]!.id })],
      );
      expect(history).toEqual([
        { event: 'api_key_created', actor: 'Ops Ünal' },
        { event: 'api_key_rotated', actor: 'Ops Ünal' },
        { event: 'api_key_revoked', actor: 'Zoë Ångström' },
      ]);
    }, 300_000);

    it("brings a key's end forward, never later, each change an event with its actor", async () => {
      await run(['keys', 'create', '--name', 'contractor', '--role', 'investigator', '--expires', '30d'], 0);
      const ended = await run(['keys', 'expire', 'contractor', '--at', '7d'], 0);
      expect(ended.stdout).toMatch(/^key \d+ "contractor" \(investigator\) now ends at \S+, recorded as event \S+\n$/);
      const before = await events();
      await run(['keys', 'expire', 'contractor', '--at', '60d'], 2, /already ends by/);
      await run(
        ['keys', 'expire', 'contractor', '--at', '2020-01-01'],
        2,
        /must be in the future: to end a key now, revoke it/,
      );
      await run(['keys', 'expire', 'contractor', '--at', 'friday'], 2, /--at/);
      await run(['keys', 'expire', 'contractor'], 2, /--at/);
      await run(['keys', 'expire', 'nobody', '--at', '1d'], 2, /no live key has the id or name "nobody"/);
      expect(await events()).toBe(before);
      const [key] = await sql<{ week: boolean }>(
        `select expires_at between now() + interval '6 days 23 hours' and now() + interval '7 days' as week
           from api_keys where name = 'contractor'`,
      );
      expect(key).toEqual({ week: true });
      const history = await sql<{ event: string; actor: string }>(
        `select event, actor from audit_events where log_type = 'ADMIN' and event_data ->> 'name' = 'contractor' order by seq`,
      );
      expect(history).toEqual([
        { event: 'api_key_created', actor: 'Ops Ünal' },
        { event: 'api_key_expiry_set', actor: 'Ops Ünal' },
      ]);
    }, 300_000);
  });
}
