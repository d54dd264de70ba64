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
    const down = await query('query($id: ID!) { ingestionRun(id: $id) { runId payloads { id } } }', { id: trade.run.id });
    expect(down.ingestionRun.payloads.map((payload: { id: string }) => payload.id)).toEqual(trade.inputs.map((payload) => payload.id));
    const up = await query('query($id: ID!) { apiPayload(id: $id) { ingestionRun { runId } } }', { id: trade.inputs[1]!.id });
    expect(up.apiPayload.ingestionRun.runId).toBe(trade.run.runId);
  });

  it('ApiPayload.decisions ↔ TradeDecision.inputs', async () => {
    const down = await query('query($id: ID!) { apiPayload(id: $id) { decisions { decisionId } } }', { id: trade.inputs[0]!.id });
    expect(down.apiPayload.decisions).toEqual([{ decisionId: trade.decision.decisionId }]);
    const up = await query('query($id: String!) { decision(decisionId: $id) { inputs { id payload } } }', {
      id: trade.decision.decisionId,
    });
    expect(up.decision.inputs.map((payload: { id: string }) => payload.id)).toEqual(trade.inputs.map((payload) => payload.id));
    expect(up.decision.inputs[0].payload).toMatchObject({ Representative: 'Nancy Pelosi', Ticker: 'AAPL' });
  });

  it('TradeDecision.executions ↔ TradeExecution.decision', async () => {
    const down = await query('query($id: ID!) { decision(id: $id) { executions { executionId } } }', { id: trade.decision.id });
    expect(down.decision.executions.map((execution: { executionId: string }) => execution.executionId)).toEqual(
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
      'query($id: ID!) { execution(id: $id) { requestPayload { id direction } responsePayload { id direction httpStatus } } }',
      { id: execution.id },
    );
    expect(down.execution.requestPayload).toEqual({ id: execution.apiRequestPayload!.id, direction: 'request' });
    expect(down.execution.responsePayload).toEqual({ id: execution.apiResponsePayload!.id, direction: 'response', httpStatus: 201 });
    for (const payloadId of [execution.apiRequestPayload!.id, execution.apiResponsePayload!.id]) {
      const up = await query('query($id: ID!) { apiPayload(id: $id) { ingestionRun { id } executions { executionId } } }', { id: payloadId });
      expect(up.apiPayload).toEqual({ ingestionRun: null, executions: [{ executionId: execution.executionId }] });
    }
  });

  it('TradeExecution.position ↔ Position.executions', async () => {
    const down = await query('query($id: ID!) { execution(id: $id) { position { id symbol quantity } } }', { id: trade.executions[1]!.id });
    expect(down.execution.position).toEqual({ id: trade.position.id, symbol: 'AAPL', quantity: '31.50000000' });
    const up = await query('query($id: ID!) { position(id: $id) { executions { id } } }', { id: trade.position.id });
    expect(up.position.executions.map((execution: { id: string }) => execution.id)).toEqual(trade.executions.map((execution) => execution.id));
  });

  it('keeps decimals exact and timestamps in ISO 8601', async () => {
    const data = await query(
      'query($id: ID!) { execution(id: $id) { filledQuantity fillPrice commission filledAt decision { quantity createdAt decisionRationale } } }',
      { id: trade.executions[0]!.id },
    );
    expect(data.execution).toEqual({
      filledQuantity: '10.50000000',
      fillPrice: '187.25000000',
      commission: '0.01000000',
      filledAt: '2026-10-01T14:04:00.000Z',
      decision: {
        quantity: '10.50000000',
        createdAt: '2026-10-01T14:02:00.000Z',
        decisionRationale: { signal: 'congress_buy', score: 0.83, model_version: 'v1.4.2' },
      },
    });
  });

  it('answers every root lookup of an unknown id with null', async () => {
    const data = await query(
      `{ decision(id: "999999999") { id } byExternal: decision(decisionId: "nope") { id }
         execution(id: "999999999") { id } byExecutionId: execution(executionId: "nope") { id }
         ingestionRun(id: "999999999") { id } byRunId: ingestionRun(runId: "nope") { id }
         apiPayload(id: "999999999") { id } position(id: "999999999") { id } }`,
      {},
    );
    expect(Object.values(data).every((value) => value === null)).toBe(true);
    expect(Object.keys(data)).toHaveLength(8);
  });
});
