import { Role } from '../src/auth/roles';
import { startHttpTestGateway, type HttpTestGateway } from './harness/http-gateway';

const QUERY = 'query($from: String!, $to: String!) { executionQuality(from: $from, to: $to) { symbol slippageBps } }';

/**
 * Malformed periods over HTTP, as a client sends them: a clear refusal with a
 * stable code, never a 500 — 400 when the variables do not fit the schema, and
 * a GraphQL error with BAD_USER_INPUT (HTTP 200, as every report's) when the
 * report refuses the day itself.
 */
describe('executionQuality over HTTP refuses malformed arguments', () => {
  let gateway: HttpTestGateway;
  let secret: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway();
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  it.each([
    ['a number for a day', 400, { from: 20261101, to: '2026-11-30' }, 'BAD_USER_INPUT', /String cannot represent/],
    [
      'a missing day',
      400,
      { from: '2026-11-01' },
      'BAD_USER_INPUT',
      /"\$to" of required type "String!" was not provided/,
    ],
    ['a list for a day', 400, { from: ['2026-11-01'], to: '2026-11-30' }, 'BAD_USER_INPUT', /String cannot represent/],
    ['a huge day', 200, { from: '2'.repeat(100_000), to: '2026-11-30' }, 'BAD_USER_INPUT', /`from` must be a date/],
    [
      'a day with SQL',
      200,
      { from: "2026-11-01' or 1=1 --", to: '2026-11-30' },
      'BAD_USER_INPUT',
      /`from` must be a date/,
    ],
    ['from after to', 200, { from: '2026-12-01', to: '2026-11-30' }, 'BAD_USER_INPUT', /must not be after `to`/],
  ])('%s: HTTP %i', async (_name, status, variables, code, message) => {
    const answer = await gateway.post({ query: QUERY, variables }, { secret });
    expect(answer.json.data ?? null).toBeNull();
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toBe(code);
    expect(answer.json.errors[0].message).toMatch(message);
    expect(answer.text).not.toMatch(/select |trade_executions|\n\s+at /);
    expect(answer.status).toBe(status);
  });

  it('refuses an argument it does not have at validation, before any SQL', async () => {
    const answer = await gateway.post(
      {
        query: '{ executionQuality(from: "2026-11-01", to: "2026-11-30", strategy: "x") { symbol } }',
      },
      { secret },
    );
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
