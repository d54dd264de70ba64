import { createOrm } from '../src/database/orm';
import { navHistory } from '../src/queries/nav-history';
import { CAPITAL_PER_DECISION } from '../src/seed/daily-events';
import { NAV_CUTOFF_MS } from '../src/seed/fill-ledger';
import { OLDER_TRANCHE } from '../src/seed/lineage-walk';
import { seedDatabase, type SeedSummary, withOlderTranche } from '../src/seed/seed-database';
import { instantOf } from '../src/time/instant';
import { archiveFolder } from './harness/archive-folder';
import { runCli } from './harness/cli';
import { createLogKey, integrateAndSign } from './harness/proof-log';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

const DAY = 86_400_000;
/**
 * The data ends at the start of a fixed day. Not today's, as `serve` seeds it: circuit breakers follow from
 * the NAV path, which the anchor's trading calendar shapes, and at these small scales some anchors give no
 * day down 1% (2026-12-03's gave none), so "every kind appears" is checked on a day known to give each.
 * Every other expectation here is relative to the anchor.
 */
const anchor = new Date('2026-12-02T00:00:00Z');
const twoYearsBefore = `'${anchor.toISOString()}'::timestamptz - interval '730 days'`;

async function one<T>(url: string, sql: string): Promise<T> {
  return withClient(url, async (client) => (await client.query(sql)).rows[0] as T);
}

/**
 * What the generated NAV, RISK and COMPLIANCE logs must agree with, each
 * recomputed in SQL from the lineage rows; a count of disagreements per check.
 */
const agreement = (capital: string) => `
  with nav as (
    select seq, occurred_at, event_data d, lag(event_data) over (order by occurred_at) previous,
           lag(occurred_at) over (order by occurred_at) previous_at
      from audit_events where event = 'nav_calculated'),
  fills as (
    select e.filled_at, d.symbol, e.id,
           case d.side when 'sell' then -e.filled_quantity else e.filled_quantity end as signed, e.fill_price, e.commission
      from trade_executions e join trade_decisions d on d.id = e.trade_decision_id where e.filled_quantity > 0),
  held as (
    select n.seq, f.symbol, sum(f.signed) as shares,
           (array_agg(f.fill_price order by f.filled_at desc, f.id desc))[1] as price
      from nav n join fills f on f.filled_at < n.occurred_at group by n.seq, f.symbol),
  book as (
    select n.seq, n.d,
           coalesce((select jsonb_object_agg(h.symbol || '_shares', h.shares) from held h
                      where h.seq = n.seq and h.shares <> 0), '{}') as shares,
           coalesce((select jsonb_object_agg(h.symbol || '_value', round(h.shares * h.price, 2)) from held h
                      where h.seq = n.seq and h.shares <> 0), '{}') as "values",
           ${capital}::numeric - coalesce((select sum(f.signed * f.fill_price + f.commission) from fills f
                                             where f.filled_at < n.occurred_at), 0) as cash
      from nav n),
  checks as (
    select d.id, d.status, d.created_at,
           (select min(e.submitted_at) from trade_executions e where e.trade_decision_id = d.id) as first_order,
           (select count(*) from trade_executions e where e.trade_decision_id = d.id) as orders,
           (select array_agg(c.event order by c.seq) from audit_events c
             where c.subject_table = 'trade_decisions' and c.subject_id = d.id and c.log_type in ('RISK', 'COMPLIANCE'))
             as events,
           (select array_agg(c.event_data ->> 'result' order by c.seq) from audit_events c
             where c.subject_table = 'trade_decisions' and c.subject_id = d.id and c.log_type in ('RISK', 'COMPLIANCE'))
             as results,
           (select bool_and(c.occurred_at > d.created_at and c.occurred_at < coalesce(
                     (select min(e.submitted_at) from trade_executions e where e.trade_decision_id = d.id), 'infinity'))
              from audit_events c where c.subject_table = 'trade_decisions' and c.subject_id = d.id
               and c.log_type in ('RISK', 'COMPLIANCE')) as in_time
      from trade_decisions d)
  select
    (select count(*) from book b where (b.d ->> 'nav')::numeric <> (b.d ->> 'cash')::numeric + (b.d ->> 'equity_value')::numeric
       or (b.d ->> 'equity_value')::numeric <> coalesce((select sum(value::numeric) from jsonb_each_text(b.d -> 'components')
                                                         where key like '%\\_value'), 0))::int as "navNotItsParts",
    (select count(*) from book b where b.shares <> (select coalesce(jsonb_object_agg(key, value), '{}')
       from jsonb_each(b.d -> 'components') where key like '%\\_shares'))::int as "sharesNotTheFills",
    (select count(*) from book b where b."values" <> (select coalesce(jsonb_object_agg(key, value), '{}')
       from jsonb_each(b.d -> 'components') where key like '%\\_value'))::int as "valuesNotAtLastFill",
    (select count(*) from book b where (b.d ->> 'cash')::numeric <> round(b.cash, 2))::int as "cashNotTheFills",
    (select count(*) from checks where events is null or events[1] <> 'restricted_list_check')::int
      as "decisionsWithoutRestrictedListCheck",
    (select count(*) from checks where
       case when results = '{restricted}' then events = '{restricted_list_check}'
            when results = '{clear,rejected,null}' then events = '{restricted_list_check,risk_check,limit_exceeded}'
            else results = '{clear,approved}' and events = '{restricted_list_check,risk_check}' end is not true)::int
      as "checksOutOfShape",
    (select count(*) from checks where (results[1] = 'restricted' or results[2] = 'rejected')
       <> (status = 'pending' and orders = 0 and exists (select 1 from audit_events s where s.event = 'status_changed'
             and s.subject_table = 'trade_decisions' and s.subject_id = checks.id and s.event_data ->> 'to' = 'cancelled')))::int
      as "refusalsNotTheCancelledWithoutOrders",
    (select count(*) from checks where not in_time)::int as "checksOutOfTime",
    (select count(*) from audit_events where event = 'limit_exceeded' and (event_data ->> 'used_before')::numeric
       + (event_data ->> 'requested')::numeric <= (event_data ->> 'limit_value')::numeric)::int as "limitsNotExceeded",
    (select count(*) from audit_events c where c.event = 'circuit_breaker_triggered' and not exists (
       select 1 from nav n where n.occurred_at = c.occurred_at - interval '1 minute'
          and n.d -> 'nav' = c.event_data -> 'portfolio_nav' and n.previous -> 'nav' = c.event_data -> 'previous_nav'
          and (c.event_data ->> 'daily_change')::numeric
              = trunc(((n.d ->> 'nav')::numeric - (n.previous ->> 'nav')::numeric) / (n.previous ->> 'nav')::numeric, 4)
          and (c.event_data ->> 'daily_change')::numeric < (c.event_data ->> 'threshold')::numeric))::int
      as "breakersNotTheNav",
    (select count(*) from nav n where n.previous is not null
       and trunc(((n.d ->> 'nav')::numeric - (n.previous ->> 'nav')::numeric) / (n.previous ->> 'nav')::numeric, 4) < -0.01
       and not exists (select 1 from audit_events c where c.event = 'circuit_breaker_triggered'
                        and c.occurred_at = n.occurred_at + interval '1 minute'))::int as "lossesWithoutBreaker",
    (select count(*) from nav n where not exists (select 1 from audit_events c where c.event = 'daily_logs_certified'
       and c.event_data ->> 'date' = (n.occurred_at at time zone 'UTC')::date::text
       and (c.event_data ->> 'trades_logged')::int = (select count(*) from fills f where f.filled_at < n.occurred_at
             and f.filled_at >= coalesce(n.previous_at, '-infinity'))))::int as "daysNotCertified",
    (select count(*) from nav n where extract(isodow from n.occurred_at at time zone 'UTC') > 5
       or (n.occurred_at at time zone 'UTC')::time <> time '00:00' + interval '${NAV_CUTOFF_MS / 1000} seconds')::int
      as "navsOffTheirCutoff"`;

/**
 * Every order of time the lineage implies, over every generated row: a run
 * fetches within its own time, a decision after the payloads that fed it,
 * its orders after it, a fill after its order, a position opened by its
 * first fill, an outcome after its record (the checks: in \`agreement\`).
 */
const LINEAGE_OUT_OF_TIME = `select
  (select count(*) from api_payloads p join data_ingestion_runs r on r.id = p.ingestion_run_id
    where p.created_at < r.started_at or p.created_at > r.finished_at or r.created_at <> r.started_at)::int as "fetchedOutsideRun",
  (select count(*) from decision_inputs i join api_payloads p on p.id = i.api_payload_id
     join trade_decisions d on d.id = i.trade_decision_id where p.created_at >= d.created_at)::int as "inputAfterDecision",
  (select count(*) from trade_executions e join trade_decisions d on d.id = e.trade_decision_id
    where e.created_at <= d.created_at or e.submitted_at <> e.created_at or e.filled_at < e.submitted_at)::int
    as "executionBeforeDecision",
  (select count(*) from trade_executions e left join api_payloads q on q.id = e.api_request_payload_id
     left join api_payloads a on a.id = e.api_response_payload_id
    where q.created_at <> e.submitted_at or a.created_at < q.created_at or a.created_at < e.submitted_at)::int
    as "brokerCallOutOfOrder",
  (select count(*) from positions p where p.opened_at is distinct from (select e.filled_at from trade_executions e
     where e.position_id = p.id order by e.id limit 1))::int as "positionNotOpenedByFirstFill",
  (select count(*) from audit_events s
     left join trade_decisions d on s.subject_table = 'trade_decisions' and d.id = s.subject_id
     left join trade_executions e on s.subject_table = 'trade_executions' and e.id = s.subject_id
    where s.event = 'status_changed' and s.occurred_at <= coalesce(d.created_at, e.created_at))::int
    as "outcomeBeforeRecord",
  (select count(*) from audit_events where occurred_at >= '${anchor.toISOString()}')::int as "eventsAfterAnchor"`;

const OLDER_THAN_TWO_YEARS = `select
  (select count(*) from data_ingestion_runs where started_at < ${twoYearsBefore})::int as runs,
  (select count(*) from api_payloads where created_at < ${twoYearsBefore})::int as payloads,
  (select count(*) from trade_decisions where created_at < ${twoYearsBefore})::int as decisions,
  (select count(*) from trade_executions where created_at < ${twoYearsBefore})::int as executions,
  (select count(*) from positions where opened_at < ${twoYearsBefore})::int as positions,
  (select count(*) from audit_events where occurred_at < ${twoYearsBefore})::int as events,
  (select count(distinct log_type) from audit_events where occurred_at < ${twoYearsBefore})::int as "logTypes",
  (select count(*) from trade_decisions where created_at < ${twoYearsBefore}
     and id > (select min(id) from trade_decisions where created_at >= ${twoYearsBefore}))::int as "olderAfterRecentIds"`;

const NO_DISAGREEMENT = {
  navNotItsParts: 0,
  sharesNotTheFills: 0,
  valuesNotAtLastFill: 0,
  cashNotTheFills: 0,
  decisionsWithoutRestrictedListCheck: 0,
  checksOutOfShape: 0,
  refusalsNotTheCancelledWithoutOrders: 0,
  checksOutOfTime: 0,
  limitsNotExceeded: 0,
  breakersNotTheNav: 0,
  lossesWithoutBreaker: 0,
  daysNotCertified: 0,
  navsOffTheirCutoff: 0,
};

describe('the generated NAV, RISK and COMPLIANCE logs, and the tranche older than two years', () => {
  let small: TestDatabase;
  let withOlder: TestDatabase;
  let smallSummary: SeedSummary;
  let olderSummary: SeedSummary;

  beforeAll(async () => {
    [small, withOlder] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    smallSummary = await seedDatabase(small.url, { scale: 0.3, seed: 5, anchor });
    // The older tranche by default from scale 1 (10,000 decisions and 120,000 leaves: half a minute to seed and
    // verify on an idle machine, minutes on a loaded one); the same generator path asked for at a tenth of that.
    olderSummary = await seedDatabase(withOlder.url, { scale: 0.1, seed: 5, anchor, olderTranche: true });
  }, 600_000);
  afterAll(() => Promise.all([small.drop(), withOlder.drop()]));

  const capitalOf = (summary: SeedSummary) => String(BigInt(summary.rows.tradeDecisions) * CAPITAL_PER_DECISION);

  it('writes each log, with the counts its summary reports', async () => {
    for (const [database, summary] of [
      [small, smallSummary],
      [withOlder, olderSummary],
    ] as const) {
      const counts = await one<Record<string, number>>(
        database.url,
        `select count(*) filter (where log_type = 'NAV')::int as "navEvents",
                count(*) filter (where log_type = 'RISK')::int as "riskEvents",
                count(*) filter (where log_type = 'COMPLIANCE')::int as "complianceEvents",
                count(*) filter (where event = 'circuit_breaker_triggered')::int as breakers,
                count(*) filter (where event = 'limit_exceeded')::int as limits,
                count(*) filter (where event_data ->> 'result' = 'restricted')::int as restricted
           from audit_events`,
      );
      expect(counts).toMatchObject({
        navEvents: summary.rows.navEvents,
        riskEvents: summary.rows.riskEvents,
        complianceEvents: summary.rows.complianceEvents,
      });
      // Every kind at its small rate, at the smallest scale tested too.
      expect(counts.breakers).toBeGreaterThan(0);
      expect(counts.limits).toBeGreaterThan(0);
      expect(counts.restricted).toBeGreaterThan(0);
      expect(counts.breakers + counts.limits + counts.restricted).toBeLessThan(summary.rows.tradeDecisions * 0.05);
    }
  });

  it('agrees with the lineage it was generated with: NAV from the fills, checks from the decisions', async () => {
    expect(await one(small.url, agreement(capitalOf(smallSummary)))).toEqual(NO_DISAGREEMENT);
    expect(await one(withOlder.url, agreement(capitalOf(olderSummary)))).toEqual(NO_DISAGREEMENT);
    // The checks can fail: a cent more of capital than the generator started from, and no day's cash agrees.
    const offByACent = await one<typeof NO_DISAGREEMENT>(small.url, agreement(`${capitalOf(smallSummary)}.01`));
    expect(offByACent).toEqual({ ...NO_DISAGREEMENT, cashNotTheFills: smallSummary.rows.navEvents });
  });

  it("is what the NAV reader reads: one point per trading day, the NAV's own digits", async () => {
    const orm = await createOrm({ databaseUrl: withOlder.url, poolMax: 1 });
    try {
      const from = instantOf(new Date(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs));
      const points = await navHistory(orm.em.fork(), from, instantOf(anchor));
      expect(points).toHaveLength(olderSummary.rows.navEvents);
      const weekdays = new Set(points.map((point) => new Date(point.occurredAt).getUTCDay()));
      expect([...weekdays].sort()).toEqual([1, 2, 3, 4, 5]);
      for (const point of points) {
        expect(point.nav).toMatch(/^\d+\.\d\d$/);
        expect(point.event.event).toBe('nav_calculated');
      }
    } finally {
      await orm.close();
    }
  });

  it('has records older than two years exactly at scale 1 and above (or when asked), as the summary says', async () => {
    expect([0.2, 0.99, 1, 10].map((scale) => withOlderTranche({ scale }))).toEqual([false, false, true, true]);
    expect(withOlderTranche({ scale: 0.1, olderTranche: true })).toBe(true);
    expect(withOlderTranche({ scale: 10, olderTranche: false })).toBe(false);
    expect(smallSummary.olderTranche).toBeNull();
    expect(await one(small.url, OLDER_THAN_TWO_YEARS)).toEqual({
      runs: 0,
      payloads: 0,
      decisions: 0,
      executions: 0,
      positions: 0,
      events: 0,
      logTypes: 0,
      olderAfterRecentIds: 0,
    });
    expect(olderSummary.olderTranche).toEqual({
      decisions: 100,
      from: new Date(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs).toISOString(),
      to: new Date(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs + OLDER_TRANCHE.spanMs).toISOString(),
    });
    const older = await one<Record<string, number>>(withOlder.url, OLDER_THAN_TWO_YEARS);
    expect(older).toMatchObject({ decisions: 100, logTypes: 4, olderAfterRecentIds: 0 });
    for (const count of [older.runs, older.payloads, older.executions, older.positions, older.events])
      expect(count).toBeGreaterThan(0);
    // All of it in the tranche's months, none before them.
    const span = await one<{ first: Date; last: Date }>(
      withOlder.url,
      `select min(created_at) as first, max(created_at) as last from trade_decisions where created_at < ${twoYearsBefore}`,
    );
    expect(span.first.getTime()).toBeGreaterThanOrEqual(anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs);
    expect(span.last.getTime()).toBeLessThan(
      anchor.getTime() - OLDER_TRANCHE.startsBeforeAnchorMs + OLDER_TRANCHE.spanMs + DAY,
    );
  });

  it('keeps every lineage in time order, over every generated row', async () => {
    const inOrder = {
      fetchedOutsideRun: 0,
      inputAfterDecision: 0,
      executionBeforeDecision: 0,
      brokerCallOutOfOrder: 0,
      positionNotOpenedByFirstFill: 0,
      outcomeBeforeRecord: 0,
      eventsAfterAnchor: 0,
    };
    expect(await one(small.url, LINEAGE_OUT_OF_TIME)).toEqual(inOrder);
    expect(await one(withOlder.url, LINEAGE_OUT_OF_TIME)).toEqual(inOrder);
  });

  it('integrates and verifies in full, and gives the purge bodies past two years to act on', async () => {
    const archive = await archiveFolder('seed-logs');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: withOlder.url,
      ...archive.env,
    };
    await integrateAndSign(withOlder.url, await createLogKey(archive.folder));
    const verified = await runCli(['verify', '--full'], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^intact \(full\)/);
    // The purge reads back archived copies of the generated bodies past two years.
    expect((await runCli(['archive', '--older-than', '730d', '--execute'], env)).code).toBe(0);
    const purge = await runCli(['retention', 'purge', '--older-than', '730d'], env);
    expect(purge.code).toBe(0);
    const older = await one<{ payloads: number }>(withOlder.url, OLDER_THAN_TWO_YEARS);
    expect(older.payloads).toBeGreaterThan(0);
    expect(purge.stdout).toContain(`would purge ${older.payloads} payload bodies`);
  });
});
