import { Role } from '../src/auth/roles';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

const LOOKUP = `query ($id: ID!, $at: DateTime) {
  position(id: $id, asOf: $at) { quantity status }
  positions(first: 5, asOf: $at) { totalCount nodes { databaseId } }
}`;
const STATUS = `query ($id: ID!, $at: DateTime!) { decision(id: $id) { statusAsOf(at: $at) } }`;

/** Time travel's arguments over HTTP: what is not an instant in range is refused before any SQL, clearly. */
describe('time travel: malformed instants over HTTP', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  let trade: TradeFixture;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
    trade = await createTrade(gateway.writer.em.fork(), { executionCount: 1 });
  });
  afterAll(() => gateway.close());

  it.each([
    ['not a date', 'yesterday'],
    ['a date without a time', '2026-10-01'],
    ['year 0', '0000-12-31T23:59:59Z'],
    ['past the year 9999', '10000-01-01T00:00:00Z'],
    ['nanoseconds', '2026-10-01T14:00:00.123456789Z'],
    ['a number', 1_790_000_000],
    ['a list', ['2026-10-01T14:00:00Z']],
  ])('refuses %s as asOf and at with BAD_USER_INPUT, and answers the next request', async (_what, at) => {
    for (const [query, id] of [
      [LOOKUP, trade.position.nodeId],
      [STATUS, trade.decision.nodeId],
    ] as const) {
      const answer = await gateway.post({ query, variables: { id, at } }, { secret });
      expect(answer.status).toBe(400);
      expect(answer.json.data).toBeUndefined();
      expect(answer.json.errors).toHaveLength(1);
      expect(answer.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.json.errors[0].message).toMatch(/\$at.*DateTime|DateTime.*\$at/s);
    }
    const next = await gateway.post({ query: LOOKUP, variables: { id: trade.position.nodeId } }, { secret });
    expect(next.status).toBe(200);
    expect(next.json.errors).toBeUndefined();
  });

  it.each([
    ['a literal that is no instant', '{ positions(asOf: "soon") { totalCount } }', /DateTime/],
    ['an enum for an instant', '{ positions(asOf: NOW) { totalCount } }', /DateTime/],
    ['statusAsOf without at', '{ decisions(first: 1) { nodes { statusAsOf } } }', /"at".*required/],
  ])('refuses %s as invalid GraphQL', async (_what, query, message) => {
    const answer = await gateway.post({ query }, { secret });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.json.errors[0].message).toMatch(message);
  });

  it('answers an instant before anything existed: no position, no status, an empty page', async () => {
    const at = '0001-01-01T00:00:00Z';
    const lookup = await gateway.post({ query: LOOKUP, variables: { id: trade.position.nodeId, at } }, { secret });
    expect(lookup.status).toBe(200);
    expect(lookup.json).toEqual({ data: { position: null, positions: { totalCount: 0, nodes: [] } } });
    const status = await gateway.post({ query: STATUS, variables: { id: trade.decision.nodeId, at } }, { secret });
    expect(status.json).toEqual({ data: { decision: { statusAsOf: null } } });
  });

  it('answers the last instant there is as now', async () => {
    const at = '9999-12-31T23:59:59.999999Z';
    const then = await gateway.post({ query: LOOKUP, variables: { id: trade.position.nodeId, at } }, { secret });
    const now = await gateway.post({ query: LOOKUP, variables: { id: trade.position.nodeId } }, { secret });
    expect(then.json.errors).toBeUndefined();
    expect(then.json).toEqual(now.json);
  });

  it('refuses a NAV window that ends before it starts, naming the argument', async () => {
    const answer = await gateway.post(
      { query: '{ navHistory(from: "2026-10-02T00:00:00Z", to: "2026-10-01T00:00:00Z") { nav } }' },
      { secret },
    );
    expect(answer.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
    expect(answer.json.errors[0].message).toMatch(/`from` must be before `to`/);
  });
});
