import { LosslessNumber, parse, stringify } from 'lossless-json';
import { Role } from '../src/auth/roles';
import { DECISIONS } from '../src/record/record-tables';
import { emptyBundle, writeBundle, zeroCounts } from '../src/record/record-writer';
import { inWriteTransaction } from '../src/record/write-transaction';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

// "A value read through the API and sent back is unchanged": what the read path
// answers must be what is stored, to the microsecond and the last decimal digit,
// or a producer re-sending what it read gets a CONFLICT.
//
// This depends on the exact read path (DateTime at µs, branch i15-exact): on a
// main without it, timestamps come back at milliseconds and these tests fail
// with CONFLICTs on created_at / started_at (that failure is the defect).

const RUN = {
  run_id: 'run-rt',
  task_name: 'data_fetch:congress_daily',
  source: 'quiverquant',
  status: 'succeeded',
  records_fetched: 2,
  error_message: null,
  metadata: { pages: 2, cursor: 'abc', latency: 0.125 },
  started_at: '2026-10-01T14:00:00.123456Z',
  finished_at: '2026-10-01T14:01:00.000001+02:00',
  created_at: '2026-10-01T14:00:00.123456Z',
};
const DECISION = {
  decision_id: 'dec-rt',
  strategy: 'CongressionalTradingStrategy',
  symbol: 'NVDA',
  side: 'buy',
  quantity: '98765432.98765431',
  order_type: 'limit',
  limit_price: '187.25000001',
  status: 'pending',
  decision_rationale: { signal: 'congress_buy', score: 0.83, signals: [{ score: 0.5 }, { score: 1.25 }] },
  correlation_id: 'intent-rt',
  created_at: '2026-10-01T14:02:00.999999Z',
};
const EXECUTION = {
  execution_id: 'exe-rt',
  broker_order_id: 'b-rt',
  status: 'submitted',
  filled_quantity: '0.00000001',
  fill_price: '187.24999999',
  commission: '0.00500000',
  error_message: null,
  submitted_at: '2026-10-01T14:03:00.000007Z',
  filled_at: null,
  created_at: '2026-10-01T14:03:00.000007Z',
};

describe('a record read through the API and sent back is unchanged', () => {
  let http: HttpTestGateway;
  let reader: string;
  let writer: string;

  /** A number stays a JavaScript number only when it writes back as the same text; any other is kept as its digits. */
  const exactNumber = (text: string) => (String(Number(text)) === text ? Number(text) : new LosslessNumber(text));

  /**
   * One GraphQL request over HTTP, as a producer with a reading and a writing key sends it; numbers
   * kept exactly both ways.
   */
  async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const answer = await http.post(undefined, {
      secret: query.startsWith('mutation') ? writer : reader,
      raw: stringify({ query, variables }),
    });
    expect(answer.status).toBe(200);
    const body = parse(answer.text, null, exactNumber) as { data?: any; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  beforeAll(async () => {
    http = await startHttpTestGateway();
    reader = await http.keyFor(Role.investigator, { name: 'round-trip-reader' });
    writer = await http.keyFor(Role.writer, { name: 'round-trip-writer' });
    // Recorded as the importer records a trading log, whose timestamps carry microseconds.
    await inWriteTransaction(http.writer.em.fork(), async (trx) => {
      const bundle = emptyBundle();
      bundle.runs = [{ source: 'log:1', row: RUN }];
      bundle.decisions = [{ source: 'log:2', row: DECISION }];
      bundle.executions = [
        { source: 'log:3', row: EXECUTION, links: { trade_decision_id: { table: DECISIONS, externalId: 'dec-rt' } } },
      ];
      await writeBundle(trx, bundle, zeroCounts(), 'importer');
    });
  });
  afterAll(() => http.close());

  it('an ingestion run', async () => {
    const { ingestionRun: run } = await graphql(
      '{ ingestionRun(runId: "run-rt") { runId taskName source status recordsFetched errorMessage metadata ' +
        'startedAt finishedAt } }',
    );
    expect(run.startedAt).toMatch(/^2026-10-01T14:00:00\.123456/);
    const sent = await graphql(
      'mutation ($r: [IngestionRunInput!]!) { recordIngestionRun(records: $r) { created unchanged } }',
      { r: [run] },
    );
    expect(sent.recordIngestionRun).toEqual({ created: 0, unchanged: 1 });
  });

  it('a decision', async () => {
    const { decision } = await graphql(
      '{ decision(decisionId: "dec-rt") { decisionId strategy symbol side quantity orderType limitPrice status ' +
        'decisionRationale correlationId createdAt } }',
    );
    expect(decision).toMatchObject({ quantity: '98765432.98765431', limitPrice: '187.25000001' });
    expect(decision.createdAt).toMatch(/^2026-10-01T14:02:00\.999999/);
    const { decisionRationale: rationale, ...fields } = decision;
    const sent = await graphql(
      'mutation ($r: [TradeDecisionInput!]!) { recordDecision(records: $r) { created unchanged } }',
      { r: [{ ...fields, rationale }] },
    );
    expect(sent.recordDecision).toEqual({ created: 0, unchanged: 1 });
  });

  it('an execution, with its link read back as the decision id', async () => {
    const { execution } = await graphql(
      '{ execution(executionId: "exe-rt") { executionId brokerOrderId status filledQuantity fillPrice commission ' +
        'errorMessage submittedAt filledAt createdAt decision { decisionId } } }',
    );
    expect(execution).toMatchObject({
      filledQuantity: '0.00000001',
      fillPrice: '187.24999999',
      commission: '0.00500000',
    });
    expect(execution.submittedAt).toMatch(/^2026-10-01T14:03:00\.000007/);
    const { decision, ...fields } = execution;
    const sent = await graphql(
      'mutation ($r: [TradeExecutionInput!]!) { recordExecution(records: $r) { created unchanged } }',
      { r: [{ ...fields, decisionId: decision.decisionId }] },
    );
    expect(sent.recordExecution).toEqual({ created: 0, unchanged: 1 });
  });

  it('a decision recorded through the API itself, at microseconds', async () => {
    const input = {
      decisionId: 'dec-rt-api',
      strategy: 'MomentumStrategy',
      symbol: 'AAPL',
      side: 'sell',
      quantity: '0.12345678',
      orderType: 'market',
      rationale: { signal: 'momentum', score: 0.61 },
      createdAt: '2026-10-01T14:05:00.654321Z',
    };
    expect(
      (
        await graphql('mutation ($r: [TradeDecisionInput!]!) { recordDecision(records: $r) { created } }', {
          r: [input],
        })
      ).recordDecision,
    ).toEqual({ created: 1 });
    const { decision } = await graphql(
      '{ decision(decisionId: "dec-rt-api") { decisionId strategy symbol side quantity orderType limitPrice ' +
        'status decisionRationale correlationId createdAt } }',
    );
    expect(decision.createdAt).toMatch(/^2026-10-01T14:05:00\.654321/);
    const { decisionRationale: rationale, ...fields } = decision;
    const sent = await graphql(
      'mutation ($r: [TradeDecisionInput!]!) { recordDecision(records: $r) { created unchanged } }',
      { r: [{ ...fields, rationale }] },
    );
    expect(sent.recordDecision).toEqual({ created: 0, unchanged: 1 });
  });
});
