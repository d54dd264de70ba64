import { toGlobalId } from '../src/graphql/global-id';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

const graphQuery = /* GraphQL */ `
  query($from: ID!, $direction: LineageDirection, $depth: Int, $maxNodes: Int) {
    lineage(from: $from, direction: $direction, depth: $depth, maxNodes: $maxNodes) {
      root { id }
      nodes { __typename id }
      edges { kind from to }
      truncated truncatedBy cutAt nodeCount
    }
  }
`;

type Graph = {
  root: { id: string };
  nodes: { __typename: string; id: string }[];
  edges: { kind: string; from: string; to: string }[];
  truncated: boolean;
  truncatedBy: string[];
  cutAt: string[];
  nodeCount: number;
};

const countBy = (values: string[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

describe('lineage(from:, direction:, depth:): the graph around one node', () => {
  let gateway: TestGateway;
  let small: TradeFixture;
  let large: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    small = await createTrade(em, { executionCount: 2, inputCount: 2 });
    large = await createTrade(em, { executionCount: 200, inputCount: 3 });
  });
  afterAll(() => gateway.close());

  async function lineage(variables: Record<string, unknown>) {
    const { result, statements } = await gateway.countStatements(() => gateway.execute(graphQuery, variables));
    expect(result.errors).toBeUndefined();
    return { graph: result.data!.lineage as Graph, statements };
  }

  it('walks DOWNSTREAM from an ingestion run: its blast radius, with typed nodes and edges', async () => {
    const { graph } = await lineage({ from: small.run.nodeId, direction: 'DOWNSTREAM', depth: 5 });
    expect(graph.root.id).toBe(small.run.nodeId);
    expect(graph.nodes[0]!.id).toBe(small.run.nodeId);
    expect(countBy(graph.nodes.map((node) => node.__typename))).toEqual({
      IngestionRun: 1,
      ApiPayload: 6,
      TradeDecision: 1,
      TradeExecution: 2,
      Position: 1,
    });
    expect(countBy(graph.edges.map((edge) => edge.kind))).toEqual({
      FETCHED: 2,
      FED: 2,
      EXECUTED_AS: 2,
      REQUESTED: 2,
      RESPONDED: 2,
      BUILT: 2,
    });
    expect(graph.edges).toContainEqual({ kind: 'BUILT', from: small.executions[0]!.nodeId, to: small.position.nodeId });
    expect(graph).toMatchObject({ truncated: false, truncatedBy: [], cutAt: [], nodeCount: 11 });
    const ids = new Set(graph.nodes.map((node) => node.id));
    expect(graph.edges.every((edge) => ids.has(edge.from) && ids.has(edge.to))).toBe(true);
  });

  it('walks UPSTREAM from a position back to the run that fetched its inputs', async () => {
    const { graph } = await lineage({ from: small.position.nodeId, direction: 'UPSTREAM', depth: 4 });
    expect(countBy(graph.nodes.map((node) => node.__typename))).toEqual({
      Position: 1,
      TradeExecution: 2,
      TradeDecision: 1,
      ApiPayload: 6,
      IngestionRun: 1,
    });
    expect(graph.edges).toContainEqual({ kind: 'FETCHED', from: small.run.nodeId, to: small.inputs[0]!.nodeId });
    expect(graph.truncated).toBe(false);
  });

  it('walks BOTH ways from a decision', async () => {
    const { graph } = await lineage({ from: small.decision.nodeId, direction: 'BOTH', depth: 3 });
    expect(countBy(graph.nodes.map((node) => node.__typename))).toEqual({
      TradeDecision: 1,
      ApiPayload: 6,
      IngestionRun: 1,
      TradeExecution: 2,
      Position: 1,
    });
  });

  it('says when the depth bound cut the graph, and where', async () => {
    const { graph } = await lineage({ from: small.position.nodeId, direction: 'UPSTREAM', depth: 2 });
    expect(graph.truncated).toBe(true);
    expect(graph.truncatedBy).toEqual(['DEPTH']);
    expect(graph.cutAt).toContain(small.decision.nodeId);
    expect(graph.nodes.map((node) => node.id)).not.toContain(small.run.nodeId);
  });

  it('says when the node budget cut the graph, and keeps only edges between returned nodes', async () => {
    const { graph } = await lineage({ from: large.position.nodeId, direction: 'UPSTREAM', depth: 4, maxNodes: 50 });
    expect(graph).toMatchObject({ truncated: true, truncatedBy: ['MAX_NODES'], nodeCount: 50 });
    expect(graph.cutAt.length).toBeGreaterThan(0);
    const ids = new Set(graph.nodes.map((node) => node.id));
    expect(graph.edges.every((edge) => ids.has(edge.from) && ids.has(edge.to))).toBe(true);
  });

  it(
    'costs the same number of statements for 2 executions as for 200 (one per level, ' + 'then one load per type)',
    async () => {
      const a = await lineage({ from: small.position.nodeId, direction: 'UPSTREAM', depth: 5 });
      const b = await lineage({ from: large.position.nodeId, direction: 'UPSTREAM', depth: 5, maxNodes: 5000 });
      expect(b.graph.nodeCount).toBe(1 + 200 + 1 + 400 + 3 + 1);
      expect(b.statements).toBe(a.statements);
      // root, 4 levels with new nodes + the 5th that finds none, then 4 batched loads (the root's type is cached)
      expect(a.statements).toBe(10);
    },
  );

  it('answers null for an unknown node', async () => {
    const result = await gateway.execute(graphQuery, { from: toGlobalId('Position', '999999999') });
    expect(result).toEqual({ data: { lineage: null } });
  });

  it.each([
    [{ from: 'not-an-id' }, /`from` is not a valid id/],
    [{ depth: 0 }, /`depth` must be between 1 and 10; got 0/],
    [{ depth: 11 }, /`depth` must be between 1 and 10/],
    [{ maxNodes: 0 }, /`maxNodes` must be between 1 and 5000/],
    [{ maxNodes: 5001 }, /`maxNodes` must be between 1 and 5000/],
  ])('refuses %j with BAD_USER_INPUT', async (variables, message) => {
    const result = await gateway.execute(graphQuery, { from: small.run.nodeId, ...variables });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(result.errors![0]!.message).toMatch(message);
  });
});
