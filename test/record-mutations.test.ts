import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { EVENTS_WRITTEN_BY_AUDITGRAPH } from '../src/entities/audit-event.entity';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { runCli } from './harness/cli';

const writer = keyCaller({ id: '7', name: 'order-router', role: Role.writer, expiresAt: null }, 'test');
const investigator = keyCaller({ id: '8', name: 'analyst', role: Role.investigator, expiresAt: null }, 'test');

const RUN = {
  runId: 'run-1',
  taskName: 'data_fetch:congress_daily',
  source: 'quiverquant',
  status: 'succeeded',
  recordsFetched: 2,
  startedAt: '2026-10-01T14:00:00Z',
  finishedAt: '2026-10-01T14:01:00Z',
};
const payload = (externalId: string, extra: object = {}) => ({
  externalId,
  ingestionRunId: 'run-1',
  direction: 'response',
  provider: 'quiverquant',
  endpoint: '/beta/live/congresstrading',
  httpMethod: 'GET',
  httpStatus: 200,
  payload: { Ticker: 'NVDA', Representative: 'Nancy Pelosi' },
  createdAt: '2026-10-01T14:01:00Z',
  ...extra,
});
const DECISION = {
  decisionId: 'dec-1',
  strategy: 'CongressionalTradingStrategy',
  symbol: 'NVDA',
  side: 'buy',
  quantity: '10.5',
  orderType: 'market',
  rationale: { signal: 'congress_buy', score: 0.83 },
  inputPayloadIds: ['qq-1', 'qq-2'],
  createdAt: '2026-10-01T14:02:00Z',
};
const POSITION = {
  externalId: 'pos-1',
  account: 'PA-1',
  symbol: 'NVDA',
  quantity: '10.5',
  avgCost: '187.25',
  openedAt: '2026-10-01T14:03:00Z',
};
const EXECUTION = {
  executionId: 'exe-1',
  decisionId: 'dec-1',
  positionId: 'pos-1',
  brokerOrderId: 'b-1',
  status: 'submitted',
  requestPayloadId: 'br-req-1',
  responsePayloadId: 'br-res-1',
  submittedAt: '2026-10-01T14:03:00Z',
  createdAt: '2026-10-01T14:03:00Z',
};

const MUTATIONS = {
  recordIngestionRun: 'IngestionRunInput',
  recordApiPayload: 'ApiPayloadInput',
  recordDecision: 'TradeDecisionInput',
  recordPosition: 'PositionInput',
  recordExecution: 'TradeExecutionInput',
  recordStatusChange: 'StatusChangeInput',
  recordEvent: 'AuditEventInput',
} as const;

describe('record mutations: the write path for producers', () => {
  let gateway: TestGateway;

  async function send(mutation: keyof typeof MUTATIONS, records: unknown[], caller = writer) {
    return gateway.execute<any>(
      `mutation ($records: [${MUTATIONS[mutation]}!]!) { ${mutation}(records: $records) { ` +
        `created unchanged databaseIds } }`,
      { records },
      caller,
    );
  }
  const ok = async (mutation: keyof typeof MUTATIONS, records: unknown[]) => {
    const result = await send(mutation, records);
    expect(result.errors).toBeUndefined();
    return result.data[mutation] as { created: number; unchanged: number; databaseIds: string[] };
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('records a whole lineage, linked by the producers ids, that the read API walks and verify proves', async () => {
    expect(await ok('recordIngestionRun', [RUN])).toMatchObject({ created: 1, unchanged: 0 });
    expect(
      await ok('recordApiPayload', [payload('qq-1'), payload('qq-2', { payload: [1, 'two', { three: 3 }] })]),
    ).toMatchObject({ created: 2 });
    const broker = [
      {
        ...payload('br-req-1'),
        ingestionRunId: null,
        direction: 'request',
        provider: 'alpaca',
        endpoint: '/v2/orders',
        httpMethod: 'POST',
        httpStatus: null,
      },
      {
        ...payload('br-res-1'),
        ingestionRunId: null,
        provider: 'alpaca',
        endpoint: '/v2/orders',
        httpMethod: 'POST',
        httpStatus: 201,
      },
    ];
    expect(await ok('recordApiPayload', broker)).toMatchObject({ created: 2 });
    const decision = await ok('recordDecision', [DECISION]);
    expect(decision.created).toBe(1);
    expect(await ok('recordPosition', [POSITION])).toMatchObject({ created: 1 });
    const execution = await ok('recordExecution', [EXECUTION]);
    const changes = await ok('recordStatusChange', [
      {
        externalId: 'chg-1',
        subject: { kind: 'EXECUTION', externalId: 'exe-1' },
        to: 'filled',
        occurredAt: '2026-10-01T14:04:00Z',
      },
      {
        externalId: 'chg-2',
        subject: { kind: 'DECISION', externalId: 'dec-1' },
        to: 'executed',
        reason: 'filled in full',
        occurredAt: '2026-10-01T14:04:00Z',
      },
    ]);
    expect(changes.created).toBe(2);

    const walk = await gateway.execute<any>(
      `query ($id: String!) { decision(decisionId: $id) {
        status decisionRationale inputs { nodes { ingestionRun { runId } } }
        executions { nodes { executionId status position { quantity }
          requestPayload { provider } responsePayload { httpStatus }
          events { nodes { event actor eventData } } } }
        events { nodes { event eventData actor } } } }`,
      { id: 'dec-1' },
    );
    expect(walk.errors).toBeUndefined();
    expect(walk.data.decision).toMatchObject({
      status: 'executed',
      decisionRationale: { signal: 'congress_buy', score: 0.83 },
      inputs: { nodes: [{ ingestionRun: { runId: 'run-1' } }, { ingestionRun: { runId: 'run-1' } }] },
      executions: {
        nodes: [
          {
            executionId: 'exe-1',
            status: 'filled',
            position: { quantity: '10.50000000' },
            requestPayload: { provider: 'alpaca' },
            responsePayload: { httpStatus: 201 },
            events: {
              nodes: [
                { event: 'status_changed', actor: 'order-router', eventData: { from: 'submitted', to: 'filled' } },
              ],
            },
          },
        ],
      },
      events: {
        nodes: [
          {
            event: 'status_changed',
            actor: 'order-router',
            eventData: { from: 'pending', to: 'executed', reason: 'filled in full' },
          },
        ],
      },
    });
    expect(execution.databaseIds).toHaveLength(1);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: gateway.database.url,
    };
    // The test gateway runs no integrator: the records are integrated as serve would, then verified.
    expect((await runCli(['integrate'], env)).code).toBe(0);
    const verified = await runCli(['verify'], env);
    expect(verified.code).toBe(0);
  });

  it('is idempotent: the same records again write nothing and answer the same ids', async () => {
    const first = await ok('recordApiPayload', [payload('qq-3')]);
    const again = await ok('recordApiPayload', [payload('qq-1'), payload('qq-3'), payload('qq-3')]);
    expect(again).toMatchObject({ created: 0, unchanged: 2 });
    expect(again.databaseIds[1]).toBe(first.databaseIds[0]);
    expect(await ok('recordDecision', [{ ...DECISION, quantity: '10.50000000' }])).toMatchObject({
      created: 0,
      unchanged: 1,
    });
    // The same instant in another zone, the rationale's keys in another order: the same content.
    expect(
      await ok('recordDecision', [
        { ...DECISION, createdAt: '2026-10-01T16:02:00+02:00', rationale: { score: 0.83, signal: 'congress_buy' } },
      ]),
    ).toMatchObject({ created: 0, unchanged: 1 });
    expect(
      await ok('recordStatusChange', [
        {
          externalId: 'chg-2',
          subject: { kind: 'DECISION', externalId: 'dec-1' },
          to: 'executed',
          reason: 'filled in full',
          occurredAt: '2026-10-01T14:04:00Z',
        },
      ]),
    ).toMatchObject({ created: 0, unchanged: 1 });
  });

  it('answers CONFLICT for different content under a recorded id, and writes nothing of the batch', async () => {
    const result = await send('recordApiPayload', [payload('qq-new'), payload('qq-1', { httpStatus: 500 })]);
    expect(result.errors![0]).toMatchObject({
      extensions: { code: 'CONFLICT' },
      message:
        'records[1]: api_payloads qq-1 is already recorded with different content (http_status: 200 recorded, 500 now)',
    });
    const inBatch = await send('recordApiPayload', [payload('qq-twice'), payload('qq-twice', { latencyMs: 5 })]);
    expect(inBatch.errors![0]).toMatchObject({
      extensions: { code: 'CONFLICT' },
      message:
        'records[1]: api_payloads qq-twice appears twice with different content (latency_ms: null at records[0], ' +
        '5 now)',
    });
    const rationale = await send('recordDecision', [
      { ...DECISION, quantity: '10.50000001', rationale: { signal: 'congress_buy', score: 0.84 } },
    ]);
    expect(rationale.errors![0]).toMatchObject({
      extensions: { code: 'CONFLICT' },
      message:
        'records[0]: trade_decisions dec-1 is already recorded with different content (quantity: ' +
        '10.50000000 recorded, 10.50000001 now; decision_rationale.score: 0.83 recorded, 0.84 now)',
    });
    const decision = await send('recordDecision', [{ ...DECISION, inputPayloadIds: ['qq-1'] }]);
    expect(decision.errors![0]).toMatchObject({
      extensions: { code: 'CONFLICT' },
      message: 'records[0]: trade_decisions dec-1 is already recorded with other input payloads',
    });
    const look = await gateway.execute<any>('{ apiPayloads(first: 100) { nodes { externalId } } }');
    expect(look.data.apiPayloads.nodes.map((node: any) => node.externalId)).not.toEqual(
      expect.arrayContaining(['qq-new']),
    );
  });

  it('refuses lifecycle changes the kind does not allow', async () => {
    const backwards = await send('recordStatusChange', [
      {
        externalId: 'chg-9',
        subject: { kind: 'DECISION', externalId: 'dec-1' },
        to: 'pending',
        occurredAt: '2026-10-01T15:00:00Z',
      },
    ]);
    expect(backwards.errors![0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: 'records[0]: trade_decisions dec-1 is executed; it can become nothing else, not "pending"',
    });
    const nonsense = await send('recordStatusChange', [
      {
        externalId: 'chg-10',
        subject: { kind: 'POSITION', externalId: 'pos-1' },
        to: "closed'; drop table positions; --",
        occurredAt: '2026-10-01T15:00:00Z',
      },
    ]);
    expect(nonsense.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(nonsense.errors![0]!.message).toMatch(/^records\[0\]: positions pos-1 is open; it can become closed, not /);
  });

  it.each([
    ['recordApiPayload', [], /send from 1 to 1000 records; got 0/],
    [
      'recordApiPayload',
      Array.from({ length: 1001 }, (_, index) => payload(`bulk-${index}`)),
      /send from 1 to 1000 records; got 1001/,
    ],
    ['recordApiPayload', [payload('  ')], /records\[0\]\.externalId must be non-empty/],
    ['recordApiPayload', [payload('x'.repeat(501))], /at most 500 characters/],
    [
      'recordApiPayload',
      [payload('bad-status', { httpStatus: 999 })],
      /httpStatus must be an HTTP status from 100 to 599/,
    ],
    [
      'recordApiPayload',
      [payload('no-run', { ingestionRunId: 'run-404' })],
      /ingestion_run_id names data_ingestion_runs "run-404", which is not recorded/,
    ],
    ['recordDecision', [{ ...DECISION, decisionId: 'dec-neg', quantity: '-1' }], /quantity must be above 0; got -1/],
    [
      'recordDecision',
      [{ ...DECISION, decisionId: 'dec-x', inputPayloadIds: ['nope'] }],
      /inputPayloadIds names api_payloads "nope", which is not recorded/,
    ],
    [
      'recordExecution',
      [{ ...EXECUTION, executionId: 'exe-x', decisionId: "'; drop table trade_decisions; --" }],
      /names trade_decisions "'; drop table trade_decisions; --", which is not recorded/,
    ],
    [
      'recordStatusChange',
      [
        {
          externalId: 'c',
          subject: { kind: 'EXECUTION', externalId: 'exe-404' },
          to: 'filled',
          occurredAt: '2026-10-01T15:00:00Z',
        },
      ],
      /exe-404", which is not recorded/,
    ],
    // Every event auditgraph writes itself, or a producer could forge one (record_corrected was accepted).
    ...[...EVENTS_WRITTEN_BY_AUDITGRAPH].map((event): [string, unknown[], RegExp] => [
      'recordEvent',
      [{ externalId: `e-${event}`, logType: 'COMPLIANCE', event, occurredAt: '2026-10-01T15:00:00Z' }],
      new RegExp(`event ${event} is written by auditgraph itself`),
    ]),
    [
      'recordEvent',
      [{ externalId: 'e-admin', logType: 'ADMIN', event: 'api_key_created', occurredAt: '2026-10-01T15:00:00Z' }],
      /logType ADMIN is written by auditgraph itself/,
    ],
    [
      'recordEvent',
      [
        {
          externalId: 'e2',
          logType: 'RISK',
          event: 'limit_check',
          subjectId: 'not-an-id',
          occurredAt: '2026-10-01T15:00:00Z',
        },
      ],
      /subjectId` is not a valid id/,
    ],
  ])('%s refuses bad input with BAD_USER_INPUT: %#', async (mutation, records, message) => {
    const result = await send(mutation as keyof typeof MUTATIONS, records as unknown[]);
    expect(result.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(message);
  });

  it('refuses wrong types before anything runs', async () => {
    const result = await send('recordDecision', [
      { ...DECISION, decisionId: 'dec-t', quantity: 'ten', side: 'sideways' },
    ]);
    expect(result.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('records events about nodes, many writers at once, and the chain stays whole', async () => {
    const { data } = await gateway.execute<any>('{ decision(decisionId: "dec-1") { id } }');
    await Promise.all(
      Array.from({ length: 5 }, (_, writerIndex) =>
        ok(
          'recordEvent',
          Array.from({ length: 20 }, (_, n) => ({
            externalId: `risk-${writerIndex}-${n}`,
            logType: 'RISK',
            event: 'limit_check',
            data: { n },
            subjectId: data.decision.id,
            occurredAt: '2026-10-01T15:00:00Z',
          })),
        ),
      ),
    );
    const events = await gateway.execute<any>(
      '{ auditEvents(filter: { logType: RISK }, first: 100) { nodes { seq subject { id } } } }',
    );
    expect(events.data.auditEvents.nodes).toHaveLength(100);
    const integrated = await runCli(['integrate'], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATABASE_URL: gateway.database.url,
    });
    expect(integrated.code).toBe(0);
    const verified = await gateway.execute<any>(
      '{ verifyChain { intact events } }',
      {},
      keyCaller({ id: '9', name: 'q', role: Role.integrity, expiresAt: null }, 'test'),
    );
    expect(verified.data.verifyChain.intact).toBe(true);
  });

  it('lets only writers (and admins) record', async () => {
    const result = await send(
      'recordEvent',
      [{ externalId: 'e9', logType: 'RISK', event: 'x', occurredAt: '2026-10-01T15:00:00Z' }],
      investigator,
    );
    expect(result.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('record mutations over HTTP, on the read-only sessions production uses', () => {
  let http: HttpTestGateway;
  beforeAll(async () => {
    http = await startHttpTestGateway();
  });
  afterAll(() => http.close());

  it('opens a read-write transaction for the write, and a reader still cannot write', async () => {
    const secret = await http.keyFor(Role.writer, { name: 'ingest-service' });
    const answer = await http.post(
      {
        query: 'mutation ($r: [IngestionRunInput!]!) { recordIngestionRun(records: $r) { created } }',
        variables: { r: [RUN] },
      },
      { secret },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ data: { recordIngestionRun: { created: 1 } } });
    const reader = await http.keyFor(Role.investigator, { name: 'reader' });
    const refused = await http.post(
      {
        query: 'mutation ($r: [IngestionRunInput!]!) { recordIngestionRun(records: $r) { created } }',
        variables: { r: [RUN] },
      },
      { secret: reader },
    );
    expect(refused.json.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
