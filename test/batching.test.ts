import { createTrade } from './harness/fixtures';
import { investigationQuery, provenanceThroughNode } from './harness/investigations';
import { startTestGateway, type TestGateway } from './harness/gateway';

const provenanceQuery = investigationQuery('Trace a position');
// The same walk asking for the largest page of executions the API serves.
const wideProvenanceQuery = provenanceQuery.replace(/executions \{/, 'executions(first: 100) {');

const decisionsWithEverything = /* GraphQL */ `
  query Decisions($first: Int!) {
    decisions(first: $first) {
      edges {
        node {
          decisionId
          inputs { nodes { id ingestionRun { runId } decisions { nodes { decisionId } } } }
          executions {
            nodes {
              executionId
              requestPayload { id }
              responsePayload { httpStatus executions { nodes { executionId } } }
              position { id executions { nodes { executionId } } }
            }
          }
        }
      }
    }
  }
`;

describe('DataLoader batching: statements are bounded by query depth, not by rows', () => {
  let gateway: TestGateway;
  let smallPosition: string;
  let largePosition: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const em = gateway.orm.em.fork();
    smallPosition = (await createTrade(em, { executionCount: 2, inputCount: 1 })).position.nodeId;
    largePosition = (await createTrade(em, { executionCount: 200, inputCount: 3 })).position.nodeId;
    for (let index = 0; index < 50; index++) await createTrade(em, { executionCount: 2, symbol: `SYM${index}` });
  });
  afterAll(() => gateway.close());

  async function provenanceStatements(positionId: string, query = provenanceQuery) {
    const { result, statements, sql } = await gateway.countStatements(() => gateway.execute(query, { positionId }));
    expect(result.errors).toBeUndefined();
    return { data: result.data!, statements, sql };
  }

  it('walks all six levels of a position with 2 executions in one statement (the provenance prefetch)', async () => {
    const { data, statements } = await provenanceStatements(smallPosition);
    expect(data.position.executions.nodes).toHaveLength(2);
    expect(data.position.executions.nodes[0].decision.inputs.nodes[0].ingestionRun.taskName).toBe(
      'data_fetch:congress_daily',
    );
    expect(statements).toBe(1);
  });

  it('walks the same six levels through node(id:) in one statement per level', async () => {
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute(provenanceThroughNode(), { positionId: smallPosition }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.node.executions.nodes[0].decision.inputs.nodes[0].ingestionRun.taskName).toBe(
      'data_fetch:congress_daily',
    );
    // position, executions, broker payloads, decision, inputs, ingestion run
    expect(statements).toBe(6);
  });

  it('costs the same for a position with 200 executions, a page of 100 walked to the end', async () => {
    const small = await provenanceStatements(smallPosition);
    const large = await provenanceStatements(largePosition, wideProvenanceQuery);
    const executions = large.data.position.executions.nodes;
    expect(executions).toHaveLength(100);
    expect(executions.every((execution: any) => execution.requestPayload && execution.responsePayload)).toBe(true);
    expect(executions.every((execution: any) => execution.decision.inputs.nodes.length === 3)).toBe(true);
    expect(large.statements).toBe(small.statements);
  });

  it('costs the same for a list of 50 decisions with their relations as for 5', async () => {
    const five = await gateway.countStatements(() => gateway.execute(decisionsWithEverything, { first: 5 }));
    const fifty = await gateway.countStatements(() => gateway.execute(decisionsWithEverything, { first: 50 }));
    expect(five.result.errors).toBeUndefined();
    expect(fifty.result.errors).toBeUndefined();
    expect(fifty.result.data!.decisions.edges).toHaveLength(50);
    expect(fifty.result.data!.decisions.edges[0].node.executions.nodes).toHaveLength(2);
    expect(fifty.statements).toBe(five.statements);
    // The page, then everything below its nodes in one statement (the lineage prefetch).
    expect(fifty.statements).toBe(2);
  });

  it('reads leafIndex and leafHash of every level of a provenance in one statement per level, whatever the rows', async () => {
    // Every object of the walk asks its leaf: records of all types at one level share one leaf statement.
    const withLeaves = wideProvenanceQuery
      .replace('position(id: $positionId) {', 'position(id: $positionId) { leafIndex leafHash')
      .replace(/nodes \{/g, 'nodes { leafIndex leafHash')
      .replace(/(decision|requestPayload|responsePayload|ingestionRun) \{/g, '$1 { leafIndex leafHash');
    const small = await provenanceStatements(smallPosition, withLeaves);
    const large = await provenanceStatements(largePosition, withLeaves);
    const without = await provenanceStatements(largePosition, wideProvenanceQuery);
    expect(large.data.position.leafIndex).toBeNull(); // not integrated in this file: null, still one read a level
    expect(large.data.position.executions.nodes).toHaveLength(100);
    expect(large.statements).toBe(small.statements);
    const leafReads = large.sql.filter((sql) => sql.includes('merkle_leaves'));
    // position; executions; their decision and payloads; the inputs; their runs
    expect(leafReads.length).toBeGreaterThanOrEqual(1);
    expect(leafReads.length).toBeLessThanOrEqual(5);
    expect(large.statements).toBe(without.statements + leafReads.length);
  });
});
