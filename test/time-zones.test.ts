import fc from 'fast-check';
import pg from 'pg';
import { dayPeriod, daysPeriod, quarterPeriod } from '../src/reports/period';
import { addMilliseconds, compareInstants, dayStart, instantOf } from '../src/time/instant';
import { timeZoneOf } from '../src/time/time-zone';
import { localDate } from './harness/aggregate-model';
import { dates } from './harness/edge-dates';
import { startTestGateway, type TestGateway } from './harness/gateway';

const HOUR = 3_600_000;
// Havana's and Beirut's clocks go from 00:00 to 01:00 (8 and 29 March 2026): those days start at 01:00.
const ZONES = [
  'Europe/London',
  'America/New_York',
  'America/Havana',
  'Asia/Beirut',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Apia',
] as const;
// The 2026 clock changes: London 29 March and 25 October, New York 8 March and 1 November.
const EDGE_DAYS = ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01'] as const;
/** Instants within two days of a clock change, or anywhere from 1900 to 2100, to the millisecond. */
const instants = fc
  .oneof(
    fc
      .tuple(fc.constantFrom(...EDGE_DAYS), fc.integer({ min: -48 * HOUR, max: 48 * HOUR }))
      .map(([day, offset]) => Date.parse(`${day}T00:00:00Z`) + offset),
    fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
  )
  .map((ms) => instantOf(new Date(ms)));
const inPeriod = (instant: string, { from, until }: { from: string; until: string }) =>
  compareInstants(from, instant) <= 0 && compareInstants(instant, until) < 0;

describe("a period's days read in a time zone", () => {
  it('holds exactly the instants whose local date (by Intl) is that day, for any instant and zone', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...ZONES), fc.integer({ min: -1, max: 1 }), (instant, zone, shift) => {
        const local = localDate(instant, zone);
        const day = addMilliseconds(dayStart(local), shift * 24 * HOUR).slice(0, 10);
        expect(inPeriod(instant, dayPeriod(day, 'date', zone))).toBe(shift === 0);
        expect(inPeriod(instant, daysPeriod(day, day, zone))).toBe(shift === 0);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['Europe/London', '2026-03-29', 23, '2026-03-29T00:00:00.000000Z'],
    ['Europe/London', '2026-10-25', 25, '2026-10-24T23:00:00.000000Z'],
    ['America/New_York', '2026-03-08', 23, '2026-03-08T05:00:00.000000Z'],
    ['America/New_York', '2026-11-01', 25, '2026-11-01T04:00:00.000000Z'],
    ['America/New_York', '2026-07-04', 24, '2026-07-04T04:00:00.000000Z'],
    ['America/Havana', '2026-03-08', 23, '2026-03-08T05:00:00.000000Z'],
    ['America/Santiago', '2026-09-06', 23, '2026-09-06T04:00:00.000000Z'],
    ['Asia/Beirut', '2026-03-29', 23, '2026-03-28T22:00:00.000000Z'],
  ])('makes %s on %s a day of %i hours', (zone, day, hours, start) => {
    const { from, until } = dayPeriod(day, 'date', zone);
    expect((Date.parse(until) - Date.parse(from)) / HOUR).toBe(hours);
    // Local midnight; where the clocks skip midnight (Havana, Santiago, Beirut), the first instant after the gap.
    expect(from).toBe(start);
  });

  it("reads a quarter in the zone: New York's 2026Q1 runs from 05:00 UTC on 1 January to 04:00 UTC on 1 April", () => {
    expect(quarterPeriod('2026Q1', 'America/New_York')).toEqual({
      from: '2026-01-01T05:00:00.000000Z',
      until: '2026-04-01T04:00:00.000000Z',
    });
    expect(quarterPeriod('9999Q4', 'Asia/Tokyo').until).toBe(quarterPeriod('9999Q4').until);
    expect(quarterPeriod('2026Q3', 'UTC')).toEqual(quarterPeriod('2026Q3'));
  });

  it('leaves UTC periods as they were: 00:00 UTC to the next 00:00, for any valid date', () => {
    fc.assert(
      fc.property(
        dates.filter(({ valid }) => valid),
        ({ text }) => {
          expect(dayPeriod(text)).toEqual({ from: dayStart(text), until: addMilliseconds(dayStart(text), 24 * HOUR) });
          expect(dayPeriod(text, 'date', timeZoneOf(null, 'timeZone'))).toEqual(dayPeriod(text));
        },
      ),
    );
  });
});

describe('reports and aggregates count the days of a time zone as Intl buckets them', () => {
  let gateway: TestGateway;
  let client: pg.Client;
  const written: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await gateway.close();
  });

  it("dailySummary's decisions and decisionsAggregate's DAY groups, for instants around clock changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(instants, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('Europe/London', 'America/New_York'),
        fc.constantFrom(...EDGE_DAYS),
        async (added, zone, day) => {
          for (const createdAt of added) {
            await client.query(
              `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status, created_at)
               values ('tz-' || $1, 'Zones', 'TZ', 'buy', 1, 'market', 'executed', $2)`,
              [written.length, createdAt],
            );
            written.push(createdAt);
          }
          const { data, errors } = await gateway.execute(
            `query($day: String!, $zone: TimeZone) {
              dailySummary(date: $day, timeZone: $zone) { date decisionsByStatus { status count } }
              decisionsAggregate(groupBy: [DAY], timeZone: $zone) { keys { day } count }
            }`,
            { day, zone },
          );
          expect(errors).toBeUndefined();
          const expectedOn = (date: string) => written.filter((instant) => localDate(instant, zone) === date).length;
          const counted = data!.dailySummary.decisionsByStatus.reduce((sum: number, row: any) => sum + row.count, 0);
          expect(counted).toBe(expectedOn(day));
          const days = [...new Set(written.map((instant) => localDate(instant, zone)))].sort();
          expect(data!.decisionsAggregate).toEqual(
            days.map((date) => ({ keys: { day: date }, count: expectedOn(date) })),
          );
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
