import fc from 'fast-check';
import { integrateAll } from '../src/integrator/integrate-all';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

// inclusionProof / consistencyProof / leafIndex over GraphQL: the errors a
// client can meet, each with its stable code, and the batching of leafIndex.

let gateway: TestGateway;
let trade: TradeFixture;
let treeSize: number;

const codes = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  (result.errors ?? []).map((error) => error.extensions?.code);

beforeAll(async () => {
  gateway = await startTestGateway();
  trade = await createTrade(gateway.orm.em.fork(), { executionCount: 2, inputCount: 2 });
  await appendStatusChange(gateway.database.url, { table: 'trade_decisions', id: trade.decision.id, to: 'executed' });
  treeSize = (await integrateAll(gateway.database.url)).size;
});
afterAll(() => gateway.close());

const PROOF = /* GraphQL */ `
  query ($id: ID!, $treeSize: SafeInt) {
    inclusionProof(id: $id, treeSize: $treeSize) { leafIndex treeSize leafHash hashes record checkpoint { treeSize } }
  }
`;

describe('errors with stable codes', () => {
  test.each([
    ['a node type whose id names no row', 'VHJhZGVEZWNpc2lvbjo5OTk5OTk', 'RECORD_NOT_FOUND'],
    ['an audit event that does not exist', Buffer.from('AuditEvent:999999').toString('base64url'), 'RECORD_NOT_FOUND'],
    ['not base64', '!!', 'BAD_USER_INPUT'],
    ['the empty string', '', 'BAD_USER_INPUT'],
    ['a type that is no record', Buffer.from('Checkpoint:1').toString('base64url'), 'BAD_USER_INPUT'],
    ['id 0', Buffer.from('TradeDecision:0').toString('base64url'), 'BAD_USER_INPUT'],
    ['an id past bigint', Buffer.from('TradeDecision:99999999999999999999').toString('base64url'), 'BAD_USER_INPUT'],
    ['a negative id', Buffer.from('TradeDecision:-1').toString('base64url'), 'BAD_USER_INPUT'],
    ['SQL in the id', Buffer.from("TradeDecision:1'; drop table x; --").toString('base64url'), 'BAD_USER_INPUT'],
    ['a very long id', 'A'.repeat(100_000), 'BAD_USER_INPUT'],
  ])('%s', async (_what, id, code) => {
    const result = await gateway.execute(PROOF, { id, treeSize });
    expect(result.data).toBeNull();
    expect(codes(result)).toEqual([code]);
  });

  test.each([
    [0, 'BAD_USER_INPUT'],
    [-1, 'BAD_USER_INPUT'],
    [2 ** 53, 'BAD_USER_INPUT'],
    [1.5, 'BAD_USER_INPUT'],
    ['12', 'BAD_USER_INPUT'],
  ])('tree size %p', async (size, code) => {
    const result = await gateway.execute(PROOF, { id: trade.decision.nodeId, treeSize: size });
    expect(codes(result)).toEqual([code]);
  });

  test('a tree size beyond the tree', async () => {
    const result = await gateway.execute(PROOF, { id: trade.decision.nodeId, treeSize: treeSize + 1 });
    expect(codes(result)).toEqual(['TREE_SIZE_BEYOND_TREE']);
    expect(result.errors![0]!.message).toContain(`${treeSize} leaves`);
  });

  test('a record integrated after the tree size asked', async () => {
    const result = await gateway.execute(PROOF, { id: trade.position.nodeId, treeSize: 1 });
    expect(codes(result)).toEqual(['NOT_IN_TREE']);
  });

  test('a record written after the last integration', async () => {
    const later = await createTrade(gateway.orm.em.fork(), { executionCount: 1, symbol: 'LATE' });
    const result = await gateway.execute(PROOF, { id: later.decision.nodeId, treeSize });
    expect(codes(result)).toEqual(['NOT_INTEGRATED']);
    const { data } = await gateway.execute(
      'query ($id: ID!) { node(id: $id) { ... on TradeDecision { leafIndex leafHash } } }',
      {
        id: later.decision.nodeId,
      },
    );
    expect(data!.node).toEqual({ leafIndex: null, leafHash: null });
  });

  test('no tree size and no checkpoint signed yet', async () => {
    const result = await gateway.execute(PROOF, { id: trade.decision.nodeId });
    expect(codes(result)).toEqual(['NO_CHECKPOINT']);
    expect((await gateway.execute('{ checkpoint { treeSize } }')).data).toEqual({ checkpoint: null });
  });

  test.each([
    [2, 1, 'BAD_USER_INPUT'],
    [-1, 1, 'BAD_USER_INPUT'],
    [0, 2 ** 53, 'BAD_USER_INPUT'],
  ])('consistency from %p to %p', async (from, to, code) => {
    const result = await gateway.execute(
      'query ($from: SafeInt!, $to: SafeInt!) { consistencyProof(from: $from, to: $to) { hashes } }',
      { from, to },
    );
    expect(codes(result)).toEqual([code]);
  });

  test('consistency to a size beyond the tree', async () => {
    const result = await gateway.execute('query ($to: SafeInt!) { consistencyProof(from: 1, to: $to) { hashes } }', {
      to: treeSize + 1,
    });
    expect(codes(result)).toEqual(['TREE_SIZE_BEYOND_TREE']);
  });

  test.each([0, 101])('checkpoints(first: %p)', async (first) => {
    const result = await gateway.execute('query ($first: Int!) { checkpoints(first: $first) { treeSize } }', { first });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('for any id', () => {
  const ids = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    // Global ids that decode: any type name, any key text.
    fc
      .tuple(fc.constantFrom('TradeDecision', 'Position', 'AuditEvent', 'ApiPayload', 'Node', 'x'), fc.string())
      .map(([type, key]) => Buffer.from(`${type}:${key}`).toString('base64url')),
    fc
      .bigInt({ min: -(2n ** 70n), max: 2n ** 70n })
      .map((key) => Buffer.from(`TradeDecision:${key}`).toString('base64')),
  );

  test('inclusionProof answers a proof or a stable code, never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(ids, async (id) => {
        const result = await gateway.execute(PROOF, { id, treeSize });
        if (result.errors) {
          expect(codes(result)).toHaveLength(1);
          expect(['BAD_USER_INPUT', 'RECORD_NOT_FOUND', 'NOT_INTEGRATED', 'NOT_IN_TREE']).toContain(codes(result)[0]);
        } else expect(result.data!.inclusionProof.treeSize).toBe(treeSize);
      }),
      { numRuns: 150 },
    );
  });
});
