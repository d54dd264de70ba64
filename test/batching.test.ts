import { createTrade } from './harness/fixtures';
import { investigationQuery } from './harness/investigations';
import { startTestGateway, type TestGateway } from './harness/gateway';

const provenanceQuery = investigationQuery('Trace a position');

const decisionsWithEverything = /* GraphQL */ `
  query Decisions($first: Int!) {
    decisions(first: $first) {
      edges {
        node {
          decisionId
          inputs { id ingestionRun { runId } decisions { decisionId } }
          executions {
            executionId
            requestPayload { id }
            responsePayload { httpStatus executions { executionId } }
            position { id executions { executionId } }
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

  async function provenanceStatements(positionId: string) {
    const { result, statements, sql } = await gateway.countStatements(() =>
      gateway.execute(provenanceQuery, { positionId }),
    );
    expect(result.errors).toBeUndefined();
    return { data: result.data!, statements, sql };
  }

  it('walks all six levels of a position with 2 executions in at most one statement per level', async () => {
    const { data, statements } = await provenanceStatements(smallPosition);
    expect(data.position.executions).toHaveLength(2);
    expect(data.position.executions[0].decision.inputs[0].ingestionRun.taskName).toBe('data_fetch:congress_daily');
    // position, executions, broker payloads, decision, inputs, ingestion run
    expect(statements).toBe(6);
  });

  it('costs the same for a position with 200 executions', async () => {
    const small = await provenanceStatements(smallPosition);
    const large = await provenanceStatements(largePosition);
    expect(large.data.position.executions).toHaveLength(200);
    expect(large.data.position.executions.every((execution: any) => execution.requestPayload && execution.responsePayload)).toBe(true);
    expect(large.statements).toBe(small.statements);
  });

  it('costs the same for a list of 50 decisions with their relations as for 5', async () => {
    const five = await gateway.countStatements(() => gateway.execute(decisionsWithEverything, { first: 5 }));
    const fifty = await gateway.countStatements(() => gateway.execute(decisionsWithEverything, { first: 50 }));
    expect(five.result.errors).toBeUndefined();
    expect(fifty.result.errors).toBeUndefined();
    expect(fifty.result.data!.decisions.edges).toHaveLength(50);
    expect(fifty.statements).toBe(five.statements);
    // list, inputs, runs, decisions-by-payload, executions, broker payloads, executions-by-payload, positions, executions-by-position
    expect(fifty.statements).toBe(9);
  });
});
