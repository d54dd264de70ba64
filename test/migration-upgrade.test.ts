import type pg from 'pg';
import { verifyChain } from '../src/chain/verify-chain';
import { verifyRecord } from '../src/chain/verify-record';
import { LAST_CHAIN_ERA_MIGRATION } from '../src/database/chain-era';
import { createOrm } from '../src/database/orm';
import { integrateAll } from '../src/integrator/integrate-all';
import { withClient } from './harness/database';
import { createLegacyDatabase, type LegacyDatabase } from './harness/legacy-database';

const WRITERS_NEVER_WAIT = 'Migration20261201163050_writers_never_wait';

const RECORD_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
  'audit_events',
  'query_audit_log',
];

/** The columns of each record table before the upgrade. */
let CHAIN_ERA_COLUMNS: Record<string, string[]> = {};

/**
 * Each record table's rows and a digest of their content, recorded_xid aside and only over the columns that
 * the chain-era database has: a column a later migration adds (null in every old row) is not a change to them.
 */
async function contentDigests(client: pg.Client): Promise<Record<string, { rows: number; md5: string }>> {
  const digests: Record<string, { rows: number; md5: string }> = {};
  for (const table of RECORD_TABLES) {
    const content = `(select jsonb_object_agg(c.key, c.value) from jsonb_each(to_jsonb(t)) c
                       where c.key <> 'recorded_xid' and c.key = any($1::text[]))::text`;
    const {
      rows: [row],
    } = await client.query<{ rows: number; md5: string }>(
      `select count(*)::int as rows, md5(coalesce(string_agg(${content}, e'\\n' order by ${content}), '')) as md5
         from ${table} t`,
      [CHAIN_ERA_COLUMNS[table]],
    );
    digests[table] = row!;
  }
  return digests;
}

async function legacyChain(url: string) {
  const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
  try {
    return await verifyChain(orm.em.fork());
  } finally {
    await orm.close();
  }
}

const produce = (client: pg.Client, who: string) =>
  client.query(
    `with event as (insert into audit_events (log_type, event, event_data, actor, occurred_at)
      values ('TRADE', 'decision_noted', jsonb_build_object('by', $1::text), $1, now()) returning seq)
    insert into positions (account, symbol, quantity, status, opened_at) values ('PA-' || $1, 'ABC', 1, 'open', now())`,
    [who],
  );

/**
 * Two producers at once, the first holding its transaction open after
 * writing: the second must commit without waiting for it. A wait on a lock
 * the first holds fails within lock_timeout (55P03) instead of hanging, so
 * the outcome is the second's error or success, not a timing.
 */
async function secondProducerWhileFirstIsOpen(url: string): Promise<{ committed: boolean; error?: string }> {
  return withClient(url, (first) =>
    withClient(url, async (second) => {
      await first.query('begin');
      await produce(first, 'first');
      try {
        await second.query(`set lock_timeout = '200ms'`);
        await second.query('begin');
        await produce(second, 'second');
        await second.query('commit');
        return { committed: true };
      } catch (error) {
        await second.query('rollback');
        return { committed: false, error: (error as { code?: string }).code };
      } finally {
        await first.query('rollback');
      }
    }),
  );
}

describe('upgrading a database of the chain era to the Merkle tree (Migration20261201163050_writers_never_wait)', () => {
  let database: LegacyDatabase;
  let before: Record<string, { rows: number; md5: string }>;
  /** What the legacy chain holds: every event, and every lineage row, each in a records_written event. */
  let chained: { events: string; records: string };

  beforeAll(async () => {
    database = await createLegacyDatabase({
      scale: 0.05,
      statements: [
        `insert into query_audit_log (request_id, role, duration_ms, outcome, started_at)
         select 'req-' || n, 'investigator', n, 'ok', now() from generate_series(1, 5) n`,
        // `import --actor` took any text then.
        `insert into audit_events (log_type, event, actor, occurred_at)
         values ('SYSTEM', 'long_actor', repeat('x', 300), now())`,
      ],
    });
    CHAIN_ERA_COLUMNS = await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ table_name: string; columns: string[] }>(
        `select table_name, array_agg(column_name::text) as columns from information_schema.columns
          where table_schema = 'public' and table_name = any($1::text[]) group by table_name`,
        [RECORD_TABLES],
      );
      return Object.fromEntries(rows.map((row) => [row.table_name, row.columns]));
    });
    before = await withClient(database.url, contentDigests);
    const lineage = RECORD_TABLES.filter((table) => !['audit_events', 'query_audit_log'].includes(table));
    chained = {
      events: String(before.audit_events!.rows),
      records: String(lineage.reduce((sum, table) => sum + before[table]!.rows, 0)),
    };
  }, 120_000);
  afterAll(() => database.drop());

  it('before: the old triggers wrote the data, and a producer waited on another (the chain lock)', async () => {
    const recorded = await withClient(database.url, (client) =>
      client.query<{ n: string }>(
        `select coalesce(sum(cardinality(record_ids)), 0)::text as n from audit_events where event = 'records_written'`,
      ),
    );
    expect(recorded.rows[0]!.n).toBe(chained.records);
    expect(Number(chained.records)).toBeGreaterThan(1000);
    expect(await secondProducerWhileFirstIsOpen(database.url)).toEqual({ committed: false, error: '55P03' });
  });

  it('keeps every row as it was, notes the migration as its writer, and the legacy chain still verifies', async () => {
    // The migrations after it come along (they are not this test's subject).
    expect((await database.upgrade())[0]).toBe(WRITERS_NEVER_WAIT);
    await withClient(database.url, async (client) => {
      expect(await contentDigests(client)).toEqual(before);
      const xids = new Set<string>();
      for (const table of RECORD_TABLES) {
        const { rows } = await client.query<{ xid: string | null }>(
          `select distinct recorded_xid::text as xid from ${table}`,
        );
        for (const row of rows) xids.add(String(row.xid));
      }
      // One transaction, the migration's, rewrote them all: the first integration takes every one.
      expect(xids.size).toBe(1);
      expect([...xids][0]).toMatch(/^\d+$/);
      const { rows } = await client.query(`select tree_size::int as size, snapshot::text from merkle_integration`);
      expect(rows).toEqual([{ size: 0, snapshot: '1:1:' }]);
    });
    const verified = await legacyChain(database.url);
    expect(verified).toMatchObject({ intact: true, events: chained.events, records: chained.records, breaks: [] });
  });

  it('after: new writes are numbered after the legacy events, and the legacy chain still verifies', async () => {
    await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ seq: string; hash: Buffer | null; xid: boolean }>(
        `insert into audit_events (log_type, event, actor, occurred_at)
         select 'SYSTEM', 'after_upgrade', 'test', now() from generate_series(1, 3)
         returning seq, hash, recorded_xid = pg_current_xact_id() as xid`,
      );
      const last = Number(before.audit_events!.rows);
      expect(rows.map((row) => Number(row.seq))).toEqual([last + 1, last + 2, last + 3]);
      expect(rows.every((row) => row.hash === null && row.xid)).toBe(true);
      await client.query(`insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status)
        values ('after-upgrade', 'S', 'ABC', 'buy', 1, 'market', 'pending')`);
    });
    const verified = await legacyChain(database.url);
    expect(verified).toMatchObject({ intact: true, events: chained.events, records: chained.records, breaks: [] });
  });

  it('after: an actor over 200 characters written before stays as it was; a new one is refused (after the test above: the refused insert spends a seq)', async () => {
    await withClient(database.url, async (client) => {
      const { rows } = await client.query(`select length(actor) as n from audit_events where event = 'long_actor'`);
      expect(rows).toEqual([{ n: 300 }]);
      await expect(
        client.query(`insert into audit_events (log_type, event, actor, occurred_at)
          values ('SYSTEM', 'long_actor', repeat('x', 201), now())`),
      ).rejects.toMatchObject({ code: '23514', constraint: 'audit_events_actor_length' });
    });
  });

  it('after: integrated, every old record is in the tree and verify --full finds the tree and the legacy chain intact', async () => {
    const integrated = await integrateAll(database.url);
    const orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
    try {
      const verified = await verifyRecord(orm.em.fork(), { full: true });
      expect(verified).toMatchObject({
        intact: true,
        events: chained.events,
        records: chained.records,
        treeSize: String(integrated.size),
        leavesRehashed: String(integrated.size),
        breaks: [],
      });
      // Every row of every table, old and new, has its leaf; the query audit log one per writer transaction.
      const rows = await withClient(database.url, async (client) => {
        let total = 0;
        for (const table of RECORD_TABLES) {
          const counted = table === 'query_audit_log' ? 'count(distinct recorded_xid)' : 'count(*)';
          total += Number((await client.query(`select ${counted} as n from ${table}`)).rows[0].n);
        }
        return total;
      });
      expect(integrated.size).toBe(rows);
    } finally {
      await orm.close();
    }
  });

  it('after: two producers write at the same time, neither waiting for the other', async () => {
    expect(await secondProducerWhileFirstIsOpen(database.url)).toEqual({ committed: true });
    await withClient(database.url, async (client) => {
      const { rows } = await client.query(`select count(*)::int as n from pg_locks where locktype = 'advisory'`);
      expect(rows).toEqual([{ n: 0 }]);
    });
  });

  it('cannot be undone once events were written without the chain', async () => {
    const orm = await createOrm({ databaseUrl: database.url, poolMax: 1 });
    try {
      await expect(orm.getMigrator().down({ to: LAST_CHAIN_ERA_MIGRATION })).rejects.toThrow(
        /audit events were written without the chain/,
      );
    } finally {
      await orm.close();
    }
  });
});

describe('undoing the migration on a database written only by the chain', () => {
  it('puts the chain triggers back; what they write then verifies after the upgrade again', async () => {
    const database = await createLegacyDatabase({ scale: 0.01 });
    const migrator = async (work: (orm: Awaited<ReturnType<typeof createOrm>>) => Promise<unknown>) => {
      const orm = await createOrm({ databaseUrl: database.url, poolMax: 1 });
      await work(orm).finally(() => orm.close());
    };
    try {
      await database.upgrade();
      await migrator((orm) => orm.getMigrator().down({ to: LAST_CHAIN_ERA_MIGRATION }));
      await withClient(database.url, async (client) => {
        const { rows } = await client.query(
          `select count(*)::int as n from information_schema.columns where column_name = 'recorded_xid'`,
        );
        expect(rows).toEqual([{ n: 0 }]);
        await produce(client, 'after-down');
        const { rows: events } = await client.query(
          `select event, hash is not null as chained from audit_events order by seq desc limit 2`,
        );
        expect(events).toEqual([
          { event: 'records_written', chained: true },
          { event: 'decision_noted', chained: true },
        ]);
      });
      await database.upgrade();
      expect(await legacyChain(database.url)).toMatchObject({ intact: true, breaks: [] });
    } finally {
      await database.drop();
    }
  }, 120_000);
});
