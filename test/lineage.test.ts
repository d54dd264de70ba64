import { toGlobalId } from '../src/graphql/global-id';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

describe('every lineage relation, walked both ways', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 3, inputCount: 2, symbol: 'AAPL' });
  });
  afterAll(() => gateway.close());

  async function query(source: string, variables: Record<string, unknown>) {
    const result = await gateway.execute(source, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  it('IngestionRun.payloads ↔ ApiPayload.ingestionRun', async () => {
    const down = await query('query($id: ID!) { ingestionRun(id: $id) { runId payloads { nodes { id } } } }', {
      id: trade.run.nodeId,
    });
    expect(down.ingestionRun.payloads.nodes.map((payload: { id: string }) => payload.id)).toEqual(
      trade.inputs.map((payload) => payload.nodeId),
    );
    const up = await query('query($id: ID!) { apiPayload(id: $id) { ingestionRun { runId } } }', {
      id: trade.inputs[1]!.nodeId,
    });
    expect(up.apiPayload.ingestionRun.runId).toBe(trade.run.runId);
  });

  it('ApiPayload.decisions ↔ TradeDecision.inputs', async () => {
    const down = await query('query($id: ID!) { apiPayload(id: $id) { decisions { nodes { decisionId } } } }', {
      id: trade.inputs[0]!.nodeId,
    });
    expect(down.apiPayload.decisions.nodes).toEqual([{ decisionId: trade.decision.decisionId }]);
    const up = await query('query($id: String!) { decision(decisionId: $id) { inputs { nodes { id payload } } } }', {
      id: trade.decision.decisionId,
    });
    expect(up.decision.inputs.nodes.map((payload: { id: string }) => payload.id)).toEqual(
      trade.inputs.map((payload) => payload.nodeId),
    );
    expect(up.decision.inputs.nodes[0].payload).toMatchObject({ Representative: 'Nancy Pelosi', Ticker: 'AAPL' });
  });

  it('TradeDecision.executions ↔ TradeExecution.decision', async () => {
    const down = await query('query($id: ID!) { decision(id: $id) { executions { nodes { executionId } } } }', {
      id: trade.decision.nodeId,
    });
    expect(down.decision.executions.nodes.map((execution: { executionId: string }) => execution.executionId)).toEqual(
      trade.executions.map((execution) => execution.executionId),
    );
    const up = await query('query($id: String!) { execution(executionId: $id) { decision { decisionId symbol } } }', {
      id: trade.executions[2]!.executionId,
    });
    expect(up.execution.decision).toEqual({ decisionId: trade.decision.decisionId, symbol: 'AAPL' });
  });

  it('TradeExecution.requestPayload/responsePayload ↔ ApiPayload.executions', async () => {
    const execution = trade.executions[0]!;
    const down = await query(
      'query($id: ID!) { execution(id: $id) { requestPayload { id direction } responsePayload { ' +
        'id direction httpStatus } } }',
      { id: execution.nodeId },
    );
    expect(down.execution.requestPayload).toEqual({ id: execution.apiRequestPayload!.nodeId, direction: 'request' });
    expect(down.execution.responsePayload).toEqual({
      id: execution.apiResponsePayload!.nodeId,
      direction: 'response',
      httpStatus: 201,
    });
    for (const payloadId of [execution.apiRequestPayload!.nodeId, execution.apiResponsePayload!.nodeId]) {
      const up = await query(
        'query($id: ID!) { apiPayload(id: $id) { ingestionRun { id } executions { nodes { executionId } } } }',
        { id: payloadId },
      );
      expect(up.apiPayload).toEqual({
        ingestionRun: null,
        executions: { nodes: [{ executionId: execution.executionId }] },
      });
    }
  });

  it('TradeExecution.position ↔ Position.executions', async () => {
    const down = await query('query($id: ID!) { execution(id: $id) { position { id symbol quantity } } }', {
      id: trade.executions[1]!.nodeId,
    });
    expect(down.execution.position).toEqual({ id: trade.position.nodeId, symbol: 'AAPL', quantity: '31.50000000' });
    const up = await query('query($id: ID!) { position(id: $id) { executions { nodes { id } } } }', {
      id: trade.position.nodeId,
    });
    expect(up.position.executions.nodes.map((execution: { id: string }) => execution.id)).toEqual(
      trade.executions.map((execution) => execution.nodeId),
    );
  });

  it('keeps decimals exact and timestamps in ISO 8601', async () => {
    const data = await query(
      'query($id: ID!) { execution(id: $id) { filledQuantity fillPrice commission filledAt decision { ' +
        'quantity createdAt decisionRationale } } }',
      { id: trade.executions[0]!.nodeId },
    );
    expect(data.execution).toEqual({
      filledQuantity: '10.50000000',
      fillPrice: '187.25000000',
      commission: '0.01000000',
      filledAt: '2026-10-01T14:04:00.000000Z',
      decision: {
        quantity: '10.50000000',
        createdAt: '2026-10-01T14:02:00.000000Z',
        decisionRationale: { signal: 'congress_buy', score: 0.83, model_version: 'v1.4.2' },
      },
    });
  });

  it('answers every root lookup of an unknown id with null', async () => {
    const data = await query(
      `query($decision: ID!, $execution: ID!, $run: ID!, $payload: ID!, $position: ID!) {
         decision(id: $decision) { id } byExternal: decision(decisionId: "nope") { id }
         execution(id: $execution) { id } byExecutionId: execution(executionId: "nope") { id }
         ingestionRun(id: $run) { id } byRunId: ingestionRun(runId: "nope") { id }
         apiPayload(id: $payload) { id } position(id: $position) { id } node(id: $position) { id } }`,
      {
        decision: toGlobalId('TradeDecision', '999999999'),
        execution: toGlobalId('TradeExecution', '999999999'),
        run: toGlobalId('IngestionRun', '999999999'),
        payload: toGlobalId('ApiPayload', '999999999'),
        position: toGlobalId('Position', '999999999'),
      },
    );
    expect(Object.values(data).every((value) => value === null)).toBe(true);
    expect(Object.keys(data)).toHaveLength(9);
  });

  it('fetches any node by its global id, and several at once in one statement per type', async () => {
    const ids = [
      trade.position.nodeId,
      trade.decision.nodeId,
      trade.run.nodeId,
      trade.executions[0]!.nodeId,
      trade.inputs[0]!.nodeId,
      trade.decision.nodeId,
    ];
    const unknown = toGlobalId('Position', '999999999');
    const { result, statements } = await gateway.countStatements(() =>
      gateway.execute('query($ids: [ID!]!) { nodes(ids: $ids) { __typename id databaseId } }', {
        ids: [...ids, unknown],
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.nodes.map((node: any) => node?.__typename ?? null)).toEqual([
      'Position',
      'TradeDecision',
      'IngestionRun',
      'TradeExecution',
      'ApiPayload',
      'TradeDecision',
      null,
    ]);
    expect(result.data!.nodes[0]).toEqual({
      __typename: 'Position',
      id: trade.position.nodeId,
      databaseId: trade.position.id,
    });
    expect(statements).toBe(5);
    const single = await query('query($id: ID!) { node(id: $id) { ... on TradeDecision { decisionId } } }', {
      id: trade.decision.nodeId,
    });
    expect(single.node).toEqual({ decisionId: trade.decision.decisionId });
  });

  it('refuses more than 100 ids in nodes()', async () => {
    const result = await gateway.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: Array(101).fill(trade.run.nodeId),
    });
    expect(result.errors![0]).toMatchObject({
      message: '`ids` holds 101 ids; at most 100',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('filters payloads by the global id of their ingestion run', async () => {
    const data = await query('query($run: ID!) { apiPayloads(filter: { ingestionRunId: $run }) { nodes { id } } }', {
      run: trade.run.nodeId,
    });
    expect(data.apiPayloads.nodes.map((node: { id: string }) => node.id).sort()).toEqual(
      trade.inputs.map((payload) => payload.nodeId).sort(),
    );
    const wrong = await gateway.execute(
      'query($run: ID!) { apiPayloads(filter: { ingestionRunId: $run }) { nodes { id } } }',
      { run: trade.decision.nodeId },
    );
    expect(wrong.errors![0]!.message).toBe('`filter.ingestionRunId` is the id of type TradeDecision, not IngestionRun');
  });
});
