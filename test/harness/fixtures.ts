import type { EntityManager } from '@mikro-orm/postgresql';
import { withClient } from './database';
import { ApiPayload, DecisionInput, IngestionRun, Position, TradeDecision, TradeExecution } from '../../src/entities';
import { IngestionRunStatus } from '../../src/entities/ingestion-run.entity';
import { PayloadDirection } from '../../src/entities/api-payload.entity';
import { DecisionStatus, TradeSide } from '../../src/entities/trade-decision.entity';
import { ExecutionStatus } from '../../src/entities/trade-execution.entity';
import { instantOf } from '../../src/time/instant';
import { PositionStatus } from '../../src/entities/position.entity';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
const at = (minute: number, millisecond = 0) => instantOf(new Date(Date.UTC(2026, 9, 1, 14, minute, 0, millisecond)));

/** A known lineage: run → payloads → decision → executions (request/response) → position. */
export type TradeFixture = {
  run: IngestionRun;
  inputs: ApiPayload[];
  decision: TradeDecision;
  executions: TradeExecution[];
  position: Position;
};

/**
 * Writes one trade's complete lineage through the ORM: an ingestion run whose
 * `inputCount` payloads fed one decision, carried out by `executionCount`
 * filled executions (each with its broker request and response payload) that
 * built one position.
 */
export async function createTrade(
  em: EntityManager,
  options: {
    executionCount: number;
    inputCount?: number;
    symbol?: string;
    strategy?: string;
    /** Records are append-only: a test changes what it needs here, before they are written. */
    adjust?: (trade: TradeFixture) => void;
  },
): Promise<TradeFixture> {
  const symbol = options.symbol ?? 'NVDA';
  const run = em.create(IngestionRun, {
    runId: unique('run'),
    taskName: 'data_fetch:congress_daily',
    source: 'quiverquant',
    status: IngestionRunStatus.succeeded,
    recordsFetched: options.inputCount ?? 2,
    metadata: { trigger: 'cron', page_size: 100 },
    startedAt: at(0),
    finishedAt: at(1),
    createdAt: at(0),
  });
  const inputs = Array.from({ length: options.inputCount ?? 2 }, (_, index) =>
    em.create(ApiPayload, {
      ingestionRun: run,
      direction: PayloadDirection.response,
      provider: 'quiverquant',
      endpoint: '/beta/live/congresstrading',
      httpMethod: 'GET',
      httpStatus: 200,
      latencyMs: 120 + index,
      payload: { Representative: 'Nancy Pelosi', Ticker: symbol, Transaction: 'Purchase', index },
      payloadBytes: 80,
      createdAt: at(1),
    }),
  );
  const correlationId = unique('intent');
  const decision = em.create(TradeDecision, {
    decisionId: unique('dec'),
    strategy: options.strategy ?? 'CongressionalTradingStrategy',
    symbol,
    side: TradeSide.buy,
    quantity: '10.50000000',
    orderType: 'market',
    status: DecisionStatus.executed,
    decisionRationale: { signal: 'congress_buy', score: 0.83, model_version: 'v1.4.2' },
    correlationId,
    createdAt: at(2),
  });
  for (const payload of inputs) em.create(DecisionInput, { tradeDecision: decision, apiPayload: payload });
  const position = em.create(Position, {
    account: 'PA-0001',
    symbol,
    quantity: (10.5 * options.executionCount).toFixed(8),
    avgCost: '187.25000000',
    status: PositionStatus.open,
    openedAt: at(3),
  });
  const executions = Array.from({ length: options.executionCount }, (_, index) => {
    const broker = (direction: PayloadDirection, httpStatus: number | null) =>
      em.create(ApiPayload, {
        direction,
        provider: 'alpaca',
        endpoint: '/v2/orders',
        httpMethod: 'POST',
        httpStatus,
        payload: { symbol, qty: '10.5', side: 'buy', leg: index },
        payloadBytes: 60,
        correlationId,
        createdAt: at(3),
      });
    return em.create(TradeExecution, {
      executionId: unique('exe'),
      tradeDecision: decision,
      position,
      brokerOrderId: unique('order'),
      status: ExecutionStatus.filled,
      filledQuantity: '10.50000000',
      fillPrice: '187.25000000',
      commission: '0.01000000',
      apiRequestPayload: broker(PayloadDirection.request, null),
      apiResponsePayload: broker(PayloadDirection.response, 201),
      submittedAt: at(3),
      filledAt: at(4),
      createdAt: at(3, index),
    });
  });
  const trade = { run, inputs, decision, executions, position };
  options.adjust?.(trade);
  await em.flush();
  return trade;
}

/**
 * Appends a `status_changed` event about a record, as a producer would: the
 * status every query shows is derived from these.
 */
export async function appendStatusChange(
  databaseUrl: string,
  change: { table: string; id: string; to: string; actor?: string },
): Promise<void> {
  await withClient(databaseUrl, (client) =>
    client.query(
      `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
       values ('TRADE', 'status_changed', $1, $2, $3, $4, now())`,
      [{ from: null, to: change.to }, change.table, change.id, change.actor ?? 'test'],
    ),
  );
}
