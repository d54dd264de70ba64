/**
 * The fields a correction may set, per node table, as the correction trigger
 * compares them (frozen when Migration20261201173226_record_corrections was
 * written; src/corrections/correctable-fields.ts derives the same from the
 * registries, and test/corrections.test.ts checks the installed triggers
 * still agree: a field added later needs a migration giving its trigger the new list).
 */
export const CORRECTION_FIELDS: Record<string, Record<string, { column: string; kind: string; enum?: Record<string, string>; type?: string }>> = {
  data_ingestion_runs: {
    taskName: {
      column: 'task_name',
      kind: 'value'
    },
    source: {
      column: 'source',
      kind: 'value'
    },
    recordsFetched: {
      column: 'records_fetched',
      kind: 'value'
    },
    errorMessage: {
      column: 'error_message',
      kind: 'value'
    },
    metadata: {
      column: 'metadata',
      kind: 'value'
    },
    startedAt: {
      column: 'started_at',
      kind: 'instant'
    },
    finishedAt: {
      column: 'finished_at',
      kind: 'instant'
    }
  },
  api_payloads: {
    direction: {
      column: 'direction',
      kind: 'enum',
      enum: {
        request: 'request',
        response: 'response'
      }
    },
    provider: {
      column: 'provider',
      kind: 'value'
    },
    endpoint: {
      column: 'endpoint',
      kind: 'value'
    },
    httpMethod: {
      column: 'http_method',
      kind: 'value'
    },
    httpStatus: {
      column: 'http_status',
      kind: 'value'
    },
    latencyMs: {
      column: 'latency_ms',
      kind: 'value'
    },
    correlationId: {
      column: 'correlation_id',
      kind: 'value'
    },
    ingestionRun: {
      column: 'ingestion_run_id',
      kind: 'relation',
      type: 'IngestionRun'
    }
  },
  trade_decisions: {
    strategy: {
      column: 'strategy',
      kind: 'value'
    },
    symbol: {
      column: 'symbol',
      kind: 'value'
    },
    side: {
      column: 'side',
      kind: 'enum',
      enum: {
        buy: 'buy',
        sell: 'sell'
      }
    },
    quantity: {
      column: 'quantity',
      kind: 'decimal'
    },
    orderType: {
      column: 'order_type',
      kind: 'value'
    },
    limitPrice: {
      column: 'limit_price',
      kind: 'decimal'
    },
    decisionRationale: {
      column: 'decision_rationale',
      kind: 'value'
    },
    correlationId: {
      column: 'correlation_id',
      kind: 'value'
    }
  },
  positions: {
    account: {
      column: 'account',
      kind: 'value'
    },
    symbol: {
      column: 'symbol',
      kind: 'value'
    },
    openedAt: {
      column: 'opened_at',
      kind: 'instant'
    }
  },
  trade_executions: {
    brokerOrderId: {
      column: 'broker_order_id',
      kind: 'value'
    },
    filledQuantity: {
      column: 'filled_quantity',
      kind: 'decimal'
    },
    fillPrice: {
      column: 'fill_price',
      kind: 'decimal'
    },
    commission: {
      column: 'commission',
      kind: 'decimal'
    },
    errorMessage: {
      column: 'error_message',
      kind: 'value'
    },
    submittedAt: {
      column: 'submitted_at',
      kind: 'instant'
    },
    filledAt: {
      column: 'filled_at',
      kind: 'instant'
    },
    decision: {
      column: 'trade_decision_id',
      kind: 'relation',
      type: 'TradeDecision'
    },
    requestPayload: {
      column: 'api_request_payload_id',
      kind: 'relation',
      type: 'ApiPayload'
    },
    responsePayload: {
      column: 'api_response_payload_id',
      kind: 'relation',
      type: 'ApiPayload'
    },
    position: {
      column: 'position_id',
      kind: 'relation',
      type: 'Position'
    }
  }
};
