import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Role } from '../src/auth/roles';
import { createTrade } from './harness/fixtures';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { newSigner } from './harness/tree-drills';

const REPORT = '{ integrityReport(from: "2026-10-01", to: "2026-10-01") { clean totalFindings } }';

describe('the integrity report over HTTP: investigators read it, verifying the chain stays the integrity role’s', () => {
  let gateway: HttpTestGateway;
  const secrets = {} as Record<Role, string>;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    // A decision without a rationale: one finding for the report to show.
    await createTrade(gateway.writer.em.fork(), {
      executionCount: 1,
      adjust: ({ decision }) => (decision.decisionRationale = null),
    });
    for (const role of Object.values(Role)) secrets[role] = await gateway.keyFor(role);
  });
  afterAll(() => gateway.close());

  it.each([Role.investigator, Role.integrity, Role.admin])('answers integrityReport to a %s key', async (role) => {
    const answer = await gateway.post({ query: REPORT }, { secret: secrets[role] });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ data: { integrityReport: { clean: false, totalFindings: 1 } } });
  });

  it('refuses it to a writer key, naming the roles that may', async () => {
    const answer = await gateway.post({ query: REPORT }, { secret: secrets[Role.writer] });
    expect(answer.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(answer.json.errors[0].message).toMatch(/needs investigator or integrity or admin/);
  });

  it.each([
    [Role.investigator, 'FORBIDDEN'],
    [Role.integrity, null],
  ])('answers verifyChain to a %s key with %s', async (role, code) => {
    const answer = await gateway.post({ query: '{ verifyChain(limit: 1) { intact } }' }, { secret: secrets[role] });
    expect(answer.json.errors?.[0]?.extensions.code ?? null).toBe(code);
  });
});

describe('verifyChain answers with the settings the server was started with, as serve passes its configuration', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  const witness = mkdtempSync(path.join(tmpdir(), 'auditgraph-witness-'));

  beforeAll(async () => {
    // Given to the server only: a request that read the environment would see neither.
    expect(process.env.AUDITGRAPH_WITNESS_DIR).toBeUndefined();
    expect(process.env.AUDITGRAPH_INTEGRATION_BOUND_S).toBeUndefined();
    // A witness folder whose one checkpoint its own key did not sign: a finding only for a run that reads the folder.
    writeFileSync(path.join(witness, 'keys.txt'), `${newSigner('witness').verifierKey}\n`);
    writeFileSync(path.join(witness, '1.checkpoint'), 'not a signed note\n');
    gateway = await startHttpTestGateway({ witnessDir: witness, integrationBoundS: 0.2 });
    // Records this gateway (no integrator) leaves out of the tree: a finding once the bound has passed.
    await createTrade(gateway.writer.em.fork(), { executionCount: 1 });
    secret = await gateway.keyFor(Role.integrity);
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(witness, { recursive: true, force: true });
  });

  it('reads the witness folder and waits the integration bound it was given', async () => {
    const answer = await gateway.post({ query: '{ verifyChain { intact breaks { kind problem } } }' }, { secret });
    expect(answer.json.errors).toBeUndefined();
    const { intact, breaks } = answer.json.data.verifyChain;
    expect(intact).toBe(false);
    expect(breaks).toContainEqual({
      kind: 'checkpoint',
      problem: expect.stringContaining(
        `${path.join(witness, '1.checkpoint')}: not a checkpoint signed by a trusted key`,
      ),
    });
    expect(breaks).toContainEqual({
      kind: 'integration',
      problem: expect.stringMatching(/ are still not in the tree 0\.2 s later$/),
    });
  });
});

describe('search where:, errorText and stalePending refuse malformed input, naming the argument', () => {
  let gateway: HttpTestGateway;
  let secret: string;
  const decisions = 'query($w: TradeDecisionWhere) { decisions(first: 1, where: $w) { nodes { databaseId } } }';
  const search =
    'query($q: String!, $k: [SearchKind!], $w: SearchWhere) { search(query: $q, kinds: $k, where: $w) { totalCount } }';

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ rateLimitPerMinute: 10_000 });
    secret = await gateway.keyFor(Role.investigator);
  });
  afterAll(() => gateway.close());

  // Values that do not fit the schema are refused before anything runs (HTTP 400); values that fit
  // but break a rule the resolver checks answer a GraphQL error, as every where: does (HTTP 200).
  it.each([
    ['a negative olderThan', decisions, { w: { stalePending: { olderThan: '-P1D' } } }, 400, /must not be negative/],
    ['a negative part of olderThan', decisions, { w: { stalePending: { olderThan: 'P-1D' } } }, 400, /negative/],
    ['a huge olderThan', decisions, { w: { stalePending: { olderThan: 'P99999999D' } } }, 400, /at most P36525D/],
    ['olderThan in words', decisions, { w: { stalePending: { olderThan: '7 days' } } }, 400, /ISO 8601 duration/],
    ['olderThan in months', decisions, { w: { stalePending: { olderThan: 'P1M' } } }, 400, /no months or years/],
    ['olderThan as a number', decisions, { w: { stalePending: { olderThan: 7 } } }, 400, /Duration must be a string/],
    ['an empty olderThan', decisions, { w: { stalePending: { olderThan: 'PT' } } }, 400, /ISO 8601 duration/],
    ['a flag as text', decisions, { w: { emptyRationale: 'yes' } }, 400, /Boolean cannot represent/],
    [
      'a field of another kind in search where:',
      search,
      { q: 'buying power', w: { execution: { strategy: { eq: 'Momentum' } } } },
      400,
      /strategy/,
    ],
    [
      'both olderThan and createdBefore',
      decisions,
      { w: { stalePending: { olderThan: 'P7D', createdBefore: '2026-10-01T00:00:00Z' } } },
      200,
      /exactly one of `olderThan` and `createdBefore`/,
    ],
    ['neither', decisions, { w: { stalePending: {} } }, 200, /exactly one of/],
    [
      'a where: for a kind kinds leaves out',
      search,
      { q: 'buying power', k: ['EXECUTION'], w: { payload: { provider: { eq: 'alpaca' } } } },
      200,
      /`where.payload` narrows PAYLOAD hits, which `kinds` leaves out/,
    ],
    ['a 10,000-character query', search, { q: 'buying power '.repeat(770).slice(0, 10_000) }, 200, /1 to 500/],
    [
      'a 10,000-character errorText',
      'query($m: String!) { executions(first: 1, where: { errorText: { matches: $m } }) { totalCount } }',
      { m: 'x'.repeat(10_000) },
      200,
      /`where.errorText.matches` must be 1 to 500/,
    ],
    [
      'a blank errorText',
      '{ executions(first: 1, where: { errorText: { matches: "   " } }) { totalCount } }',
      {},
      200,
      /must be 1 to 500/,
    ],
    [
      'an invalid JSON path inside search where:',
      search,
      { q: 'buying power', w: { decision: { decisionRationale: { jsonPath: '$.score >>> 1' } } } },
      200,
      /not a valid SQL\/JSON path/,
    ],
  ])('%s', async (_what, query, variables, status, message) => {
    const answer = await gateway.post({ query, variables }, { secret });
    expect(answer.status).toBe(status);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0].extensions.code).toMatch(/^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
    expect(answer.json.errors[0].message).toMatch(message);
    expect(answer.json.data?.decisions ?? answer.json.data?.search ?? null).toBeNull();
    // Nothing else breaks: the next request is answered.
    const next = await gateway.post({ query: decisions, variables: { w: { emptyRationale: true } } }, { secret });
    expect(next.json.errors).toBeUndefined();
  });
});
