import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { startTestGateway, type TestGateway } from './harness/gateway';

const investigator = keyCaller({ id: '1', name: 'ivy', role: Role.investigator, expiresAt: null }, 'test');

describe('integrityReport over GraphQL reads its quarter or days in a time zone, as the CLI does', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  const period = (args: string) =>
    gateway.execute<any>(`{ integrityReport(${args}) { from until } }`, {}, investigator);

  it.each([
    // New York is UTC-5 in winter, UTC-4 from the second Sunday of March.
    ['quarter: "2026Q1", timeZone: "America/New_York"', '2026-01-01T05:00:00.000000Z', '2026-04-01T04:00:00.000000Z'],
    [
      'from: "2026-03-08", to: "2026-03-08", timeZone: "America/New_York"',
      '2026-03-08T05:00:00.000000Z',
      '2026-03-09T04:00:00.000000Z',
    ],
    ['quarter: "2026Q1"', '2026-01-01T00:00:00.000000Z', '2026-04-01T00:00:00.000000Z'],
    ['quarter: "2026Q1", timeZone: "UTC"', '2026-01-01T00:00:00.000000Z', '2026-04-01T00:00:00.000000Z'],
  ])('%s', async (args, from, until) => {
    const result = await period(args);
    expect(result.errors).toBeUndefined();
    expect(result.data.integrityReport).toEqual({ from, until });
  });

  it.each(['Mars/Olympus', 'UTC; drop table trade_decisions', '+05:00'])('refuses the zone %j', async (zone) => {
    const result = await gateway.execute(
      'query($zone: TimeZone) { integrityReport(quarter: "2026Q1", timeZone: $zone) { until } }',
      { zone },
      investigator,
    );
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});
