import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { verifyChain } from '../src/chain/verify-chain';
import { archiveFolder } from './harness/archive-folder';
import { runCli } from './harness/cli';
import { createLogKey, integrateAndSign } from './harness/proof-log';
import { withClient } from './harness/database';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { createLegacyDatabase } from './harness/legacy-database';

const LINEAGE_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
];

/** The transaction id of the legacy record's rows (the migration's that retired the chain triggers). */
const LEGACY_XID = `(select recorded_xid from audit_events where hash is not null order by seq desc limit 1)`;

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

/** One value from `sql` on a connection of its own. */
async function one<T>(url: string, sql: string): Promise<T> {
  return withClient(url, async (client) => Object.values((await client.query(sql)).rows[0] as object)[0] as T);
}

/**
 * The record as it stands since the chain triggers were retired: a database
 * that ran the chain (seeded through its triggers), migrated, then written
 * to by today's writers. `verify` keeps checking the legacy chain; what was
 * written since is the Merkle tree's to prove (src/integrator).
 */
describe('the immutable record: append-only tables, writers that never wait, and verify of the legacy chain', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let env: NodeJS.ProcessEnv;
  /** records_written events (all from the legacy era), and the events of the legacy chain. */
  let recordsWritten: string;
  let legacyEvents: string;
  const integrity = keyCaller({ id: '1', name: 'quarterly', role: Role.integrity, expiresAt: null }, 'test');

  beforeAll(async () => {
    const database = await createLegacyDatabase({ scale: 0.01 });
    await database.upgrade();
    recordsWritten = await one(database.url, `select count(*) from audit_events where event = 'records_written'`);
    legacyEvents = await one(database.url, `select count(*)::text from audit_events`);
    gateway = await startTestGateway(database);
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 2, inputCount: 2 });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: gateway.database.url };
    // Into the tree, legacy rows and all, before anyone tampers.
    expect((await runCli(['integrate'], env)).code).toBe(0);
  }, 120_000);
  afterAll(() => gateway.close());

  describe('append-only, enforced by PostgreSQL whatever the client', () => {
    it.each([...LINEAGE_TABLES, 'audit_events', 'query_audit_log'])(
      '%s refuses UPDATE, DELETE and TRUNCATE with a clear error',
      async (table) => {
        await withClient(gateway.database.url, async (client) => {
          const column = table === 'decision_inputs' ? 'trade_decision_id' : table === 'audit_events' ? 'seq' : 'id';
          if (table === 'query_audit_log')
            await client.query(`insert into query_audit_log (request_id, role, duration_ms, outcome, started_at)
              values ('req-chain', 'anonymous', 1, 'ok', now())`);
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

  describe('writers', () => {
    it('note their transaction in every row, and nothing else: no records_written event, no chain hash', async () => {
      const url = gateway.database.url;
      expect(Number(recordsWritten)).toBeGreaterThan(0);
      expect(await one(url, `select count(*) from audit_events where event = 'records_written'`)).toBe(recordsWritten);
      const { rows } = await withClient(url, (client) =>
        client.query<{ table: string; xid: string; legacy: boolean }>(
          `select 'trade_decisions' as table, recorded_xid::text as xid, recorded_xid = ${LEGACY_XID} as legacy
             from trade_decisions where id = $1
           union all select 'trade_executions', recorded_xid::text, recorded_xid = ${LEGACY_XID}
             from trade_executions where id = any($2)`,
          [trade.decision.id, trade.executions.map((execution) => execution.id)],
        ),
      );
      // createTrade writes its lineage in one ORM flush: one transaction, so one id.
      expect(new Set(rows.map((row) => row.xid)).size).toBe(1);
      expect(rows.map((row) => row.legacy)).toEqual([false, false, false]);
    });

    it('take no advisory lock: nothing serialises them until commit', async () => {
      await withClient(gateway.database.url, async (client) => {
        await client.query('begin');
        await client.query(`insert into audit_events (log_type, event, actor, occurred_at)
          values ('RISK', 'limit_check', 'risk-engine', now())`);
        await client.query(`insert into positions (account, symbol, quantity, status, opened_at)
          values ('PA-L', 'LCK', 1, 'open', now())`);
        const { rows } = await client.query(
          `select locktype, mode from pg_locks where pid = pg_backend_pid() and locktype = 'advisory'`,
        );
        await client.query('rollback');
        expect(rows).toEqual([]);
      });
    });

    it('get event numbers that are unique and increasing, after the legacy ones, with 8 writers appending at once', async () => {
      const lastLegacy = Number(
        await one(gateway.database.url, `select max(seq) from audit_events where hash is not null`),
      );
      const seqs = await Promise.all(
        Array.from({ length: 8 }, (_, writer) =>
          withClient(gateway.database.url, async (client) => {
            const mine: number[] = [];
            for (let n = 0; n < 10; n++) {
              const { rows } = await client.query<{ seq: string; hash: Buffer | null }>(
                `insert into audit_events (log_type, event, event_data, actor, occurred_at)
                  values ('RISK', 'limit_check', $1, 'risk-engine', now()) returning seq, hash`,
                [{ writer, n }],
              );
              expect(rows[0]!.hash).toBeNull();
              mine.push(Number(rows[0]!.seq));
            }
            return mine;
          }),
        ),
      );
      const all = seqs.flat();
      expect(new Set(all).size).toBe(80);
      expect(Math.min(...all)).toBeGreaterThan(lastLegacy);
      for (const mine of seqs) expect(mine).toEqual([...mine].sort((a, b) => a - b));
      // The legacy chain's check counts the legacy events only, and finds every row written since none of its business.
      const verified = await verifyChain(gateway.orm.em.fork());
      expect(verified).toMatchObject({ intact: true, events: legacyEvents, breaks: [] });
    });
  });

  describe('verify, after tampering as a superuser would', () => {
    // The test gateway runs no integrator: what was written is integrated first, as serve would have.
    // --full: the legacy chain is the full run's (the default run relies on the tree, which holds its records too).
    const verifyFull = async (...args: string[]) => {
      expect((await runCli(['integrate'], env)).code).toBe(0);
      return runCli(['verify', '--full', ...args], env);
    };
    // Each case tampers, checks what verify says, then puts the row back as it was.
    it('names a legacy lineage row changed behind the triggers: CLI exit 1 and the verifyChain query', async () => {
      const execution = {
        id: await one<string>(
          gateway.database.url,
          `select id::text from trade_executions where fill_price is not null and recorded_xid = ${LEGACY_XID}
            order by id limit 1`,
        ),
      };
      await tamper(
        gateway.database.url,
        'trade_executions',
        'trade_executions_correction_only',
        `update trade_executions set fill_price = fill_price * 2 where id = ${execution.id}`,
      );
      try {
        const result = await verifyFull();
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(
          new RegExp(
            `^first break: trade_executions ${execution.id} was changed after it was written \\(its hash was ` +
              `recorded by event #\\d+\\)$`,
            'm',
          ),
        );
        const answer = await gateway.execute<{ verifyChain: any }>(
          '{ verifyChain(full: true) { intact firstBreak { kind table recordId problem } breaks { recordId } } }',
          {},
          integrity,
        );
        expect(answer.errors).toBeUndefined();
        // The legacy chain names it, and so does the tree, whose leaf the row no longer matches.
        expect(answer.data!.verifyChain).toMatchObject({
          intact: false,
          firstBreak: { kind: 'record', table: 'trade_executions', recordId: execution.id },
          breaks: [{ recordId: execution.id }, { recordId: execution.id }],
        });
        expect(result.stdout).toMatch(
          new RegExp(`^  also: trade_executions ${execution.id} was changed after it was integrated`, 'm'),
        );
      } finally {
        await tamper(
          gateway.database.url,
          'trade_executions',
          'trade_executions_correction_only',
          `update trade_executions set fill_price = fill_price / 2 where id = ${execution.id}`,
        );
      }
      expect((await verifyFull()).code).toBe(0);
    });

    it('names a legacy event whose content was edited', async () => {
      const {
        rows: [event],
      } = await withClient(gateway.database.url, (client) =>
        client.query<{ seq: string; actor: string }>(
          `select seq, actor from audit_events where event = 'status_changed' and hash is not null order by seq limit 1`,
        ),
      );
      await tamper(
        gateway.database.url,
        'audit_events',
        'audit_events_append_only',
        `update audit_events set actor = 'someone else' where seq = ${event!.seq}`,
      );
      try {
        const result = await verifyFull('--format', 'json');
        expect(result.code).toBe(1);
        expect(JSON.parse(result.stdout).firstBreak).toEqual({
          kind: 'chain',
          seq: event!.seq,
          table: null,
          recordId: null,
          leafIndex: null,
          problem: `event #${event!.seq}: its content no longer matches its hash (changed after it was written)`,
        });
      } finally {
        await tamper(
          gateway.database.url,
          'audit_events',
          'audit_events_append_only',
          `update audit_events set actor = '${event!.actor}' where seq = ${event!.seq}`,
        );
      }
    });

    it('names a legacy row deleted behind the triggers and a row smuggled in among the legacy ones', async () => {
      const url = gateway.database.url;
      const input = await withClient(url, async (client) => {
        const { rows } = await client.query<{ decision: string; payload: string }>(
          `select trade_decision_id::text as decision, api_payload_id::text as payload from decision_inputs
            where recorded_xid = ${LEGACY_XID} order by 1, 2 limit 1`,
        );
        return rows[0]!;
      });
      const smuggled = await withClient(url, async (client) => {
        await client.query('begin');
        await client.query('alter table decision_inputs disable trigger decision_inputs_append_only');
        await client.query('delete from decision_inputs where trade_decision_id = $1 and api_payload_id = $2', [
          input.decision,
          input.payload,
        ]);
        await client.query('alter table decision_inputs enable trigger decision_inputs_append_only');
        const {
          rows: [row],
        } = await client.query<{ id: string }>(
          `insert into positions (account, symbol, quantity, status, opened_at, recorded_xid)
            values ('PA-X', 'ZZZ', 1, 'open', now(), ${LEGACY_XID}) returning id`,
        );
        await client.query('commit');
        return row!.id;
      });
      try {
        const result = await verifyFull();
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^TAMPERED \(full\): /);
        expect(result.stdout).toContain(`decision_inputs ${input.decision} was written (event #`);
        expect(result.stdout).toContain(
          `positions ${smuggled} is not in the chain: it was written around the record trigger`,
        );
      } finally {
        await withClient(url, async (client) => {
          await client.query('begin');
          await client.query('alter table positions disable trigger positions_append_only');
          await client.query('delete from positions where id = $1', [smuggled]);
          await client.query('alter table positions enable trigger positions_append_only');
          await client.query(
            `insert into decision_inputs (trade_decision_id, api_payload_id, recorded_xid) values ($1, $2, ${LEGACY_XID})`,
            [input.decision, input.payload],
          );
          await client.query('commit');
        });
      }
      const after = await verifyFull();
      expect(after.stdout).toMatch(/^intact/);
      expect(after.code).toBe(0);
    });

    it('still verifies a legacy payload whose body the retention purge removed, and names a forged tombstone', async () => {
      const url = gateway.database.url;
      // The purge takes only bodies archived and read back: integrate under a signed checkpoint, archive, then purge.
      const archive = await archiveFolder('chain');
      const archiving = { ...env, ...archive.env };
      await integrateAndSign(url, await createLogKey(archive.folder));
      expect((await runCli(['archive', '--older-than', '30d', '--execute'], archiving)).code).toBe(0);
      const purged = await runCli(
        ['retention', 'purge', '--older-than', '30d', '--allow-short-window', '--execute', '--format', 'json'],
        archiving,
      );
      expect(purged.code).toBe(0);
      expect(JSON.parse(purged.stdout).payloads).toBeGreaterThan(0);
      expect(await verifyFull()).toMatchObject({ code: 0 });
      const tombstone = await withClient(url, async (client) => {
        const { rows } = await client.query<{ id: string; hash: string }>(
          `select b.api_payload_id::text as id, encode(b.body_hash, 'hex') as hash from api_payload_tombstones b
            join api_payloads p on p.id = b.api_payload_id where p.recorded_xid = ${LEGACY_XID}
            order by b.api_payload_id limit 1`,
        );
        return rows[0]!;
      });
      const forge = (hash: string) =>
        tamper(
          url,
          'api_payload_tombstones',
          'api_payload_tombstones_append_only',
          `update api_payload_tombstones set body_hash = ${hash} where api_payload_id = ${tombstone.id}`,
        );
      await forge(`sha256('something else')`);
      try {
        const result = await verifyFull();
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(
          new RegExp(`^first break: api_payloads ${tombstone.id} was changed after it was written`, 'm'),
        );
      } finally {
        await forge(`'\\x${tombstone.hash}'`);
      }
      expect((await verifyFull()).code).toBe(0);
    });
  });

  it('exits 2 with a message when it cannot run', async () => {
    const result = await runCli(['verify'], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/auditgraph: /);
    expect((await runCli(['verify', '--limit', '0'], env)).code).toBe(2);
  });
});
