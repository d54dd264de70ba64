import pg from 'pg';
import { escapeCopyText, copyRow } from '../src/seed/copy-text';
import { SeedError, seedDatabase, type SeedSummary } from '../src/seed/seed-database';
import { createOrm } from '../src/database/orm';
import { integrityReport } from '../src/reports/integrity.report';
import { createTestDatabase, type TestDatabase } from './harness/database';
import { instantOf } from '../src/time/instant';
import { statusesAsOf } from '../src/queries/as-of';

const anchor = new Date('2026-11-01T00:00:00Z');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the data generator', () => {
  let first: TestDatabase;
  let second: TestDatabase;
  let summary: SeedSummary;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    summary = await seedDatabase(first.url, { scale: 0.3, seed: 7, anchor });
  });
  afterAll(() => Promise.all([first.drop(), second.drop()]));

  it('writes exactly the rows its summary reports', async () => {
    const [counts] = await query<Record<string, string>>(
      first.url,
      `select
      (select count(*) from data_ingestion_runs) as "ingestionRuns",
      (select count(*) from api_payloads) as "apiPayloads",
      (select count(*) from trade_decisions) as "tradeDecisions",
      (select count(*) from decision_inputs) as "decisionInputs",
      (select count(*) from trade_executions) as "tradeExecutions", (select count(*) from positions) as "positions",
      (select count(*) from audit_events where event = 'status_changed') as "statusChanges",
      (select count(*) from audit_events where log_type = 'NAV') as "navEvents",
      (select count(*) from audit_events where log_type = 'RISK') as "riskEvents",
      (select count(*) from audit_events where log_type = 'COMPLIANCE') as "complianceEvents",
      (select count(*) from audit_events) as "allEvents"`,
    );
    const { allEvents, ...rows } = Object.fromEntries(
      Object.entries(counts!).map(([key, value]) => [key, Number(value)]),
    );
    expect(rows).toEqual(summary.rows);
    // The status changes, the NAV, RISK and COMPLIANCE logs, and no other event.
    expect(allEvents).toBe(
      summary.rows.statusChanges + summary.rows.navEvents + summary.rows.riskEvents + summary.rows.complianceEvents,
    );
    expect(summary.rows.tradeDecisions).toBe(3000);
  });

  it('plants each audit defect, and the counts it reports are what SQL finds', async () => {
    const [found] = await query<Record<string, string>>(
      first.url,
      `select
      (select count(*) from trade_decisions where decision_rationale is null) as "decisionsWithoutRationale",
      (select count(*) from trade_executions where api_request_payload_id is null or api_response_payload_id is null)
        as "executionsMissingPayloadLink",
      (select count(*) from (select trade_decision_id from trade_executions group by 1 having count(*) > 1) d)
        as "decisionsWithTwoExecutions",
      (select count(*) from trade_decisions d where status = 'pending'
        and not exists (select 1 from audit_events s where s.event = 'status_changed'
                         and s.subject_table = 'trade_decisions' and s.subject_id = d.id)
        and created_at < '${anchor.toISOString()}'::timestamptz - interval '1 day')
        as "pendingDecisionsStuck"`,
    );
    const asNumbers = Object.fromEntries(Object.entries(found!).map(([key, value]) => [key, Number(value)]));
    expect(asNumbers).toEqual(summary.plantedDefects);
    for (const count of Object.values(summary.plantedDefects)) expect(count).toBeGreaterThan(0);
  });

  it(
    "is audited by integrityReport: every planted defect found, with the generator's counts, " + 'and nothing else',
    async () => {
      const orm = await createOrm({ databaseUrl: first.url, poolMax: 1 });
      try {
        const report = await integrityReport(
          orm.em.fork(),
          { from: '2026-01-01T00:00:00.000000Z', until: instantOf(anchor) },
          { limit: 0 },
        );
        expect(Object.fromEntries(report.findings.map((finding) => [finding.check, finding.count]))).toEqual({
          DECISION_WITHOUT_RATIONALE: summary.plantedDefects.decisionsWithoutRationale,
          EXECUTION_MISSING_PAYLOAD: summary.plantedDefects.executionsMissingPayloadLink,
          EXECUTION_WITHOUT_DECISION: 0,
          DUPLICATE_EXECUTIONS: summary.plantedDefects.decisionsWithTwoExecutions,
          STALE_PENDING_DECISION: summary.plantedDefects.pendingDecisionsStuck,
          EXECUTED_WITHOUT_FILL: 0,
          POSITION_QUANTITY_MISMATCH: 0,
          UNREFERENCED_PAYLOAD: 0,
        });
      } finally {
        await orm.close();
      }
    },
  );

  it(
    'builds every position as one lot: recorded as its first fill opened it, never through zero, ' +
      'some closed by their fills',
    async () => {
      const [lots] = await query<{
        broken: number;
        misrecorded: number;
        closed: number;
        open: number;
        orphans: number;
      }>(
        first.url,
        `select
        count(*) filter (where lot[4] = 1)::int as broken,
        count(*) filter (where first_quantity <> quantity or first_price <> avg_cost)::int as misrecorded,
        count(*) filter (where lot[1] = 0)::int as closed,
        count(*) filter (where lot[1] <> 0)::int as open,
        count(*) filter (where lot is null)::int as orphans
      from (select p.quantity, p.avg_cost,
              (select position_lot(case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end,
                                  e.fill_price order by e.id)
                 from trade_executions e join trade_decisions d on d.id = e.trade_decision_id
                  where e.position_id = p.id) as lot,
              (select case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end
               from trade_executions e join trade_decisions d on d.id = e.trade_decision_id
                where e.position_id = p.id order by e.id limit 1) as first_quantity,
              (select e.fill_price from trade_executions e where e.position_id = p.id
                order by e.id limit 1) as first_price
            from positions p) positions`,
      );
      expect(lots).toMatchObject({ broken: 0, misrecorded: 0, orphans: 0 });
      expect(lots!.closed).toBeGreaterThan(0);
      expect(lots!.open).toBeGreaterThan(0);
    },
  );

  it('looks like the trading systems it imitates', async () => {
    const tasks = await query<{ task_name: string }>(
      first.url,
      'select distinct task_name from data_ingestion_runs order by 1',
    );
    expect(tasks.map((row) => row.task_name)).toEqual([
      'data_fetch:congress_daily',
      'data_fetch:insider_trades',
      'data_fetch:market_bars',
    ]);
    const reasons = await query<{ error_message: string }>(
      first.url,
      `select distinct error_message from trade_executions e join audit_events s on s.subject_id = e.id
        and s.subject_table = 'trade_executions' and s.event = 'status_changed' where s.event_data ->> 'to' = 'rejected'`,
    );
    const messages = reasons.map((row) => row.error_message).join('\n');
    for (const reason of ['insufficient buying power', 'rate limit', 'market is closed', 'invalid symbol'])
      expect(messages).toContain(reason);
    const [statuses] = await query<{ errors: string }>(
      first.url,
      'select count(*) as errors from api_payloads where http_status >= 400',
    );
    expect(Number(statuses!.errors)).toBeGreaterThan(0);
    const [congress] = await query<{ payload: Record<string, unknown> }>(
      first.url,
      "select payload from api_payloads where endpoint = '/beta/live/congresstrading' limit 1",
    );
    expect(Object.keys(congress!.payload)).toEqual(
      expect.arrayContaining(['Representative', 'Ticker', 'Transaction', 'Range', 'ReportDate']),
    );
    const [rationale] = await query<{ r: Record<string, unknown> }>(
      first.url,
      'select decision_rationale as r from trade_decisions where decision_rationale is not null limit 1',
    );
    expect(Object.keys(rationale!.r)).toEqual(
      expect.arrayContaining(['signal', 'score', 'model_version', 'source_record_ids']),
    );
    const [latest] = await query<{ max: Date }>(first.url, 'select max(created_at) from trade_decisions');
    expect(latest!.max.getTime()).toBeLessThan(anchor.getTime());
  });

  it(
    'writes lifecycles as status changes over time: rows as first written, each outcome an event after it, ' +
      'so that a record as of an earlier instant differs from now',
    async () => {
      const [written] = await query<Record<string, number>>(
        first.url,
        `select
        (select count(*) from trade_decisions where status <> 'pending')::int as "decisionsNotWrittenPending",
        (select count(*) from trade_executions where status <> 'submitted')::int as "executionsNotWrittenSubmitted",
        (select count(*) from audit_events s join trade_decisions d on d.id = s.subject_id
          where s.event = 'status_changed' and s.subject_table = 'trade_decisions'
            and (s.occurred_at <= d.created_at or s.occurred_at >= '${anchor.toISOString()}'))::int as "decisionEventsOutOfTime",
        (select count(*) from audit_events s join trade_executions e on e.id = s.subject_id
          where s.event = 'status_changed' and s.subject_table = 'trade_executions'
            and (s.occurred_at < e.created_at or s.occurred_at <> coalesce(e.filled_at, s.occurred_at)))::int
          as "executionEventsOutOfTime",
        (select count(*) from trade_executions e where not exists (select 1 from audit_events s
          where s.event = 'status_changed' and s.subject_table = 'trade_executions' and s.subject_id = e.id))::int
          as "executionsNeverSettled"`,
      );
      expect(written).toEqual({
        decisionsNotWrittenPending: 0,
        executionsNotWrittenSubmitted: 0,
        decisionEventsOutOfTime: 0,
        executionEventsOutOfTime: 0,
        executionsNeverSettled: 0,
      });
      // A decision settled at some instant was pending just before it, through the API's own derivation.
      const [settled] = await query<{ id: string; at: Date }>(
        first.url,
        `select subject_id::text as id, occurred_at as at from audit_events
          where event = 'status_changed' and subject_table = 'trade_decisions' order by seq limit 1`,
      );
      const orm = await createOrm({ databaseUrl: first.url, poolMax: 1 });
      try {
        const before = instantOf(new Date(settled!.at.getTime() - 1));
        const then = await statusesAsOf(orm.em.fork(), 'TradeDecision', [settled!.id], before);
        const now = await statusesAsOf(orm.em.fork(), 'TradeDecision', [settled!.id], instantOf(anchor));
        expect(then.get(settled!.id)).toBe('pending');
        expect(now.get(settled!.id)).not.toBe('pending');
      } finally {
        await orm.close();
      }
    },
  );

  it('makes identical data from the same seed, scale and anchor', async () => {
    await seedDatabase(second.url, { scale: 0.3, seed: 7, anchor });
    // Every column but recorded_xid: the writer's transaction id differs from one database to another.
    const fingerprint = `select md5(string_agg((to_jsonb(t) - 'recorded_xid')::text, '|' order by id)) as hash from %s t`;
    for (const table of ['trade_decisions', 'trade_executions', 'api_payloads', 'positions']) {
      const [a] = await query(first.url, fingerprint.replace('%s', table));
      const [b] = await query(second.url, fingerprint.replace('%s', table));
      expect(b).toEqual(a);
    }
    // The events too, but for what the database adds when it appends them (seq, recorded_at, recorded_xid).
    const changes = `select md5(string_agg(concat_ws(' ', log_type, event, subject_table, subject_id, event_data, actor,
      occurred_at), '|' order by seq)) as hash from audit_events`;
    expect(await query(second.url, changes)).toEqual(await query(first.url, changes));
  });

  it('continues the id sequences after the generated rows', async () => {
    // Positions are append-only, so ask the sequence rather than insert a row.
    const [row] = await query<{ id: string }>(
      first.url,
      "select nextval(pg_get_serial_sequence('positions', 'id')) as id",
    );
    expect(Number(row!.id)).toBe(summary.rows.positions + 1);
  });

  it('refuses a database that already holds data, and leaves it untouched', async () => {
    await expect(seedDatabase(first.url, { scale: 0.01, seed: 1, anchor })).rejects.toThrow(
      /already holds \d+ rows in data_ingestion_runs; seed only an empty database/,
    );
    const [count] = await query<{ count: string }>(first.url, 'select count(*) from trade_decisions');
    expect(Number(count!.count)).toBe(3000);
  });

  it.each([
    [{ scale: 0, seed: 1 }, /scale must be a number above 0/],
    [{ scale: Number.NaN, seed: 1 }, /scale must be a number above 0/],
    [{ scale: 5000, seed: 1 }, /at most 1000/],
    [{ scale: 1, seed: -1 }, /seed must be a non-negative integer/],
    [{ scale: 1, seed: 1.5 }, /seed must be a non-negative integer/],
  ])('refuses bad options %j', async (options, message) => {
    await expect(seedDatabase(first.url, options)).rejects.toThrow(SeedError);
    await expect(seedDatabase(first.url, options)).rejects.toThrow(message);
  });

  it('leaves nothing behind when loading fails part-way', async () => {
    const database = await createTestDatabase();
    try {
      // The last table refuses its rows: everything loaded before it must roll back too.
      await query(
        database.url,
        `create function refuse() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$;
        create trigger refuse before insert on trade_executions for each row execute function refuse()`,
      );
      await expect(seedDatabase(database.url, { scale: 0.01, seed: 1, anchor })).rejects.toThrow(/disk full/);
      const [counts] = await query<{ runs: string; payloads: string; decisions: string }>(
        database.url,
        'select (select count(*) from data_ingestion_runs) as runs, ' +
          '(select count(*) from api_payloads) as payloads, (select count(*) from trade_decisions) as decisions',
      );
      expect(counts).toEqual({ runs: '0', payloads: '0', decisions: '0' });
    } finally {
      await database.drop();
    }
  });

  it('refuses a database without the tables', async () => {
    const bare = await createTestDatabase();
    try {
      await query(bare.url, 'drop table trade_executions, decision_inputs');
      await expect(seedDatabase(bare.url, { scale: 0.01, seed: 1 })).rejects.toThrow(
        /lacks the tables decision_inputs, trade_executions: run migrations first/,
      );
    } finally {
      await bare.drop();
    }
  });
});

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(escapeCopyText('plain')).toBe('plain');
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyRow(['x', null, 3, { note: 'line\nbreak', path: 'C:\\' }])).toBe(
      'x\t\\N\t3\t{"note":"line\\\\nbreak","path":"C:\\\\\\\\"}\n',
    );
  });

  it('round-trips hostile text through a real COPY', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { from } = await import('pg-copy-streams');
      const hostile = 'tab\there\nnew line\\N not null \\. end\r\u00e9\u{1F4C8}';
      await client.query('create table copy_probe (text_value text, json_value jsonb)');
      const stream = client.query(from('copy copy_probe from stdin'));
      stream.end(copyRow([hostile, { hostile }]));
      await new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject));
      const { rows } = await client.query('select text_value, json_value from copy_probe');
      expect(rows).toEqual([{ text_value: hostile, json_value: { hostile } }]);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
