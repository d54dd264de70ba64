import { Role } from '../src/auth/roles';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { LEAKS } from './harness/leaks';

const AGGREGATE = /* GraphQL */ `
  query ($g: [TradeDecisionGroupBy!], $tz: TimeZone, $w: TradeDecisionWhere) {
    decisionsAggregate(groupBy: $g, timeZone: $tz, where: $w) { keys { day } count }
  }
`;
const LONG_ZONE = `Europe/${'x'.repeat(10_000)}`;

/** Malformed aggregate and time-zone arguments over HTTP: each a 400 naming the problem, before any SQL. */
describe('aggregates and time zones refuse malformed input over HTTP', () => {
  let gateway: HttpTestGateway;
  let secret: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000, maxQueryCost: 5_000 });
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  it.each([
    ['an unknown groupBy key', { g: ['COLOR'] }, 'BAD_USER_INPUT', /"COLOR" does not exist in "TradeDecisionGroupBy"/],
    ['a groupBy key as text of another case', { g: ['day'] }, 'BAD_USER_INPUT', /"day" does not exist/],
    ['a key given twice', { g: ['SYMBOL', 'DAY', 'DAY'] }, 'BAD_USER_INPUT', /`groupBy` names DAY more than once/],
    ['10,000 keys', { g: Array.from({ length: 10_000 }, () => 'DAY') }, 'BAD_USER_INPUT', /more than once/],
    ['a planet for a zone', { tz: 'Mars/Olympus' }, 'BAD_USER_INPUT', /time zone name .*got "Mars\/Olympus"/],
    ['SQL for a zone', { tz: 'UTC; drop table trade_decisions' }, 'BAD_USER_INPUT', /got "UTC; drop table/],
    ['an offset for a zone', { tz: '+05:00' }, 'BAD_USER_INPUT', /offsets .* are refused|got "\+05:00"/],
    ['an empty zone', { tz: '' }, 'BAD_USER_INPUT', /got ""/],
    ['a 10,000-character zone', { tz: LONG_ZONE }, 'BAD_USER_INPUT', /… \(10007 characters\)/],
    ['a number for a zone', { tz: 5 }, 'BAD_USER_INPUT', /TimeZone must be a string/],
    ['a where of the wrong type', { w: { symbol: { eq: 5 } } }, 'BAD_USER_INPUT', /String cannot represent/],
  ])('%s', async (_what, variables, code, message) => {
    const answer = await gateway.post({ query: AGGREGATE, variables }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toBe(code);
    expect(answer.json.errors[0].message).toMatch(message);
    expect(answer.text).not.toMatch(LEAKS);
    // Nothing else breaks: the next request is answered.
    const next = await gateway.post({ query: AGGREGATE, variables: { g: ['DAY'], tz: 'Europe/London' } }, { secret });
    expect(next.status).toBe(200);
    expect(next.json.errors).toBeUndefined();
  });

  it.each([
    ['an unknown key, written in the query', '{ decisionsAggregate(groupBy: [COLOR]) { count } }', /COLOR/],
    ['a zone written in the query', '{ decisionsAggregate(timeZone: "Mars/Olympus") { count } }', /Mars\/Olympus/],
    [
      'a report day in an unknown zone',
      '{ dailySummary(date: "2026-03-29", timeZone: "UTC; --") { date } }',
      /UTC; --/,
    ],
  ])('%s', async (_what, query, message) => {
    const answer = await gateway.post({ query }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.json.errors[0].message).toMatch(message);
  });

  it('prices an aggregate as a totalCount is, plus its groups', async () => {
    const one = '{ decisionsAggregate { count } }';
    expect((await gateway.post({ query: one }, { secret })).status).toBe(200);
    // Three aggregates: 3 × (2,000 for the scan + 10 groups) = 6,030, over this gateway's limit of 5,000.
    const three =
      '{ a: decisionsAggregate { count } b: executionsAggregate { count } c: auditEventsAggregate { count } }';
    const answer = await gateway.post({ query: three }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions).toEqual({ code: 'QUERY_TOO_COSTLY', cost: 6_030, maxCost: 5_000 });
    // A report's groups are not an aggregate's: priced as their objects only.
    const window = 'since: "2026-01-01T00:00:00Z", until: "2026-02-01T00:00:00Z"';
    const reports = `{ a: apiErrors(${window}) { count } b: apiErrors(${window}) { count } c: apiErrors(${window}) { count } }`;
    const priced = await gateway.post({ query: reports }, { secret });
    expect([priced.status, priced.json.errors?.[0]?.extensions?.code]).not.toContain('QUERY_TOO_COSTLY');
    expect(priced.status).toBe(200);
  });
});
