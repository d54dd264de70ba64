import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const LINEAGE_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
];

/** What a superuser who bypasses the rules does: disable the trigger, change the row, re-enable it. */
async function tamper(url: string, table: string, trigger: string, sql: string) {
  await withClient(url, async (client) => {
    await client.query('begin');
    await client.query(`alter table ${table} disable trigger ${trigger}`);
    await client.query(sql);
    await client.query(`alter table ${table} enable trigger ${trigger}`);
    await client.query('commit');
  });
}

describe('the immutable record: append-only tables, the hash chain and verify', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let env: NodeJS.ProcessEnv;
  const integrity = keyCaller({ id: '1', name: 'quarterly', role: Role.integrity, expiresAt: null }, 'test');

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 2, inputCount: 2 });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: gateway.database.url };
  });
  afterAll(() => gateway.close());

  describe('append-only, enforced by PostgreSQL whatever the client', () => {
    it.each([...LINEAGE_TABLES, 'audit_events'])(
      '%s refuses UPDATE, DELETE and TRUNCATE with a clear error',
      async (table) => {
        await withClient(gateway.database.url, async (client) => {
          const column = table === 'decision_inputs' ? 'trade_decision_id' : table === 'audit_events' ? 'seq' : 'id';
          for (const sql of [
            `update ${table} set ${column} = ${column}`,
            `delete from ${table}`,
            `truncate ${table} cascade`,
          ]) {
            await expect(client.query(sql)).rejects.toMatchObject({
              code: '42501',
              message: expect.stringMatching(new RegExp(`^${table} is append-only: (UPDATE|DELETE|TRUNCATE) refused$`)),
            });
          }
        });
      },
    );

    it('refuses a payload UPDATE outside the retention purge, even one that only clears the body', async () => {
      await withClient(gateway.database.url, async (client) => {
        await expect(
          client.query('update api_payloads set payload = null where id = $1', [trade.inputs[0]!.id]),
        ).rejects.toThrow(/api_payloads is append-only: UPDATE refused/);
        await client.query('begin');
        await client.query(`set local auditgraph.retention_purge = 'on'`);
        // The flag alone is not enough: the purge writes the body's tombstone first.
        await expect(
          client.query('update api_payloads set payload = null where id = $1', [trade.inputs[0]!.id]),
        ).rejects.toMatchObject({
          message: 'api_payloads is append-only: UPDATE refused',
          hint: expect.stringMatching(/only the retention purge may remove a body, after writing its tombstone/),
        });
        await client.query('rollback');
      });
    });
  });

  describe('the chain', () => {
    it('records every row written, by any client, in a records_written event with its content hash', async () => {
      const { rows } = await withClient(gateway.database.url, (client) =>
        client.query<{ subject_table: string; record_ids: string[]; hashes: number }>(
          `select subject_table, record_ids, array_length(record_hashes, 1) as hashes from audit_events
            where event = 'records_written' order by seq`,
        ),
      );
      const recorded = new Map<string, string[]>();
      for (const row of rows)
        recorded.set(row.subject_table, [...(recorded.get(row.subject_table) ?? []), ...row.record_ids]);
      expect(recorded.get('trade_decisions')).toEqual([trade.decision.id]);
      expect(recorded.get('trade_executions')!.sort()).toEqual(
        trade.executions.map((execution) => execution.id).sort(),
      );
      expect(recorded.get('decision_inputs')).toEqual([trade.decision.id, trade.decision.id]);
      expect(rows.every((row) => row.hashes === row.record_ids.length)).toBe(true);
    });

    it('finds the chain head by index even when the statistics say the event log is tiny', async () => {
      // A plan made from "0 rows" is a sequential scan per appended event: quadratic
      // over a long import. The transaction's own scan counters show which plan ran.
      await withClient(gateway.database.url, async (client) => {
        await client.query('vacuum analyze audit_events');
        await client.query('begin');
        await client.query(`insert into audit_events (log_type, event, event_data, actor, occurred_at)
          select 'SYSTEM', 'planner_probe', jsonb_build_object('n', n), 'test', now() from generate_series(1, 300) n`);
        const { rows } = await client.query<{ seq_scan: string; idx_scan: string }>(
          `select seq_scan, idx_scan from pg_stat_xact_user_tables where relname = 'audit_events'`,
        );
        await client.query('rollback');
        expect(Number(rows[0]!.seq_scan)).toBe(0);
        expect(Number(rows[0]!.idx_scan)).toBeGreaterThanOrEqual(300);
      });
    });

    it('numbers events without gaps and never forks, with 8 writers appending at once', async () => {
      await Promise.all(
        Array.from({ length: 8 }, (_, writer) =>
          withClient(gateway.database.url, async (client) => {
            for (let n = 0; n < 10; n++) {
              // Clients may send any seq and hashes: the chain trigger replaces them.
              await client.query(
                `insert into audit_events (log_type, event, event_data, actor, occurred_at, seq, prev_hash, hash)
                  values ('RISK', 'limit_check', $1, 'risk-engine', now(), 1, '\\x00', '\\x00')`,
                [{ writer, n }],
              );
            }
          }),
        ),
      );
      const { rows } = await withClient(gateway.database.url, (client) =>
        client.query<{ seq: string; linked: boolean }>(
          `select seq, prev_hash = coalesce(lag(hash) over (order by seq), '\\x${'00'.repeat(32)}') as linked
            from audit_events order by seq`,
        ),
      );
      expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, index) => index + 1));
      expect(rows.every((row) => row.linked)).toBe(true);
      const verified = await runCli(['verify'], env);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toMatch(/^intact: \d+ events, \d+ records verified in \d+ ms$/m);
    });
  });

  describe('verify, after tampering as a superuser would', () => {
    // Each case tampers, checks what verify says, then puts the row back as it was.
    it('names a lineage row changed behind the triggers: CLI exit 1 and the verifyChain query', async () => {
      const execution = trade.executions[0]!;
      await tamper(
        gateway.database.url,
        'trade_executions',
        'trade_executions_append_only',
        `update trade_executions set fill_price = fill_price * 2 where id = ${execution.id}`,
      );
      try {
        const result = await runCli(['verify'], env);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(
          new RegExp(
            `^first break: trade_executions ${execution.id} was changed after it was written \\(its hash was ` +
              `recorded by event #\\d+\\)$`,
            'm',
          ),
        );
        const answer = await gateway.execute<{ verifyChain: any }>(
          '{ verifyChain { intact firstBreak { kind table recordId problem } breaks { recordId } } }',
          {},
          integrity,
        );
        expect(answer.errors).toBeUndefined();
        expect(answer.data!.verifyChain).toMatchObject({
          intact: false,
          firstBreak: { kind: 'record', table: 'trade_executions', recordId: execution.id },
          breaks: [{ recordId: execution.id }],
        });
      } finally {
        await tamper(
          gateway.database.url,
          'trade_executions',
          'trade_executions_append_only',
          `update trade_executions set fill_price = fill_price / 2 where id = ${execution.id}`,
        );
      }
      expect((await runCli(['verify'], env)).code).toBe(0);
    });

    it('names an event whose content was edited, and the break it leaves in the links', async () => {
      const {
        rows: [event],
      } = await withClient(gateway.database.url, (client) =>
        client.query<{ seq: string }>(`select seq from audit_events where event = 'limit_check' order by seq limit 1`),
      );
      await tamper(
        gateway.database.url,
        'audit_events',
        'audit_events_append_only',
        `update audit_events set actor = 'someone else' where seq = ${event!.seq}`,
      );
      try {
        const result = await runCli(['verify', '--format', 'json'], env);
        expect(result.code).toBe(1);
        expect(JSON.parse(result.stdout).firstBreak).toEqual({
          kind: 'chain',
          seq: event!.seq,
          table: null,
          recordId: null,
          problem: `event #${event!.seq}: its content no longer matches its hash (changed after it was written)`,
        });
      } finally {
        await tamper(
          gateway.database.url,
          'audit_events',
          'audit_events_append_only',
          `update audit_events set actor = 'risk-engine' where seq = ${event!.seq}`,
        );
      }
    });

    it('names a row deleted behind the triggers and a row inserted around them', async () => {
      const input = trade.inputs[1]!;
      const smuggled = await withClient(gateway.database.url, async (client) => {
        await client.query('begin');
        await client.query('alter table decision_inputs disable trigger decision_inputs_append_only');
        await client.query('alter table positions disable trigger positions_recorded');
        await client.query('delete from decision_inputs where api_payload_id = $1', [input.id]);
        const {
          rows: [row],
        } = await client.query<{ id: string }>(
          `insert into positions (account, symbol, quantity, status, opened_at)
            values ('PA-X', 'ZZZ', 1, 'open', now()) returning id`,
        );
        await client.query('alter table decision_inputs enable trigger decision_inputs_append_only');
        await client.query('alter table positions enable trigger positions_recorded');
        await client.query('commit');
        return row!.id;
      });
      try {
        const result = await runCli(['verify'], env);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^TAMPERED: /);
        expect(result.stdout).toContain(`decision_inputs ${trade.decision.id} was written (event #`);
        expect(result.stdout).toContain(
          `positions ${smuggled} is not in the chain: it was written around the record trigger`,
        );
      } finally {
        await withClient(gateway.database.url, async (client) => {
          await client.query('begin');
          await client.query('alter table positions disable trigger positions_append_only');
          await client.query('alter table decision_inputs disable trigger decision_inputs_recorded');
          await client.query('delete from positions where id = $1', [smuggled]);
          await client.query('insert into decision_inputs (trade_decision_id, api_payload_id) values ($1, $2)', [
            trade.decision.id,
            input.id,
          ]);
          await client.query('alter table positions enable trigger positions_append_only');
          await client.query('alter table decision_inputs enable trigger decision_inputs_recorded');
          await client.query('commit');
        });
      }
      expect((await runCli(['verify'], env)).code).toBe(0);
    });
  });

  it('exits 2 with a message when it cannot run', async () => {
    const result = await runCli(['verify'], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/auditgraph: /);
    expect((await runCli(['verify', '--limit', '0'], env)).code).toBe(2);
  });
});
