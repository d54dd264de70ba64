/**
 * How producers' records land in the lineage tables: each table's external
 * id (the producer's own key, on which writes are idempotent) and the column
 * types content is compared by when a record arrives a second time.
 */
export type ColumnKind = 'text' | 'decimal' | 'integer' | 'timestamp' | 'json';

export type RecordTable = {
  table: 'data_ingestion_runs' | 'api_payloads' | 'trade_decisions' | 'positions' | 'trade_executions' | 'audit_events';
  /** The unique column holding the producer's id. */
  externalId: string;
  /** Every column a producer sets, with how to compare a stored value to a new one. */
  columns: Record<string, ColumnKind>;
};

export const RUNS: RecordTable = {
  table: 'data_ingestion_runs',
  externalId: 'run_id',
  columns: {
    run_id: 'text', task_name: 'text', source: 'text', status: 'text', records_fetched: 'integer', error_message: 'text',
    metadata: 'json', started_at: 'timestamp', finished_at: 'timestamp', created_at: 'timestamp',
  },
};

export const PAYLOADS: RecordTable = {
  table: 'api_payloads',
  externalId: 'external_id',
  columns: {
    external_id: 'text', ingestion_run_id: 'integer', direction: 'text', provider: 'text', endpoint: 'text', http_method: 'text',
    http_status: 'integer', latency_ms: 'integer', payload: 'json', payload_bytes: 'integer', correlation_id: 'text', created_at: 'timestamp',
  },
};

export const DECISIONS: RecordTable = {
  table: 'trade_decisions',
  externalId: 'decision_id',
  columns: {
    decision_id: 'text', strategy: 'text', symbol: 'text', side: 'text', quantity: 'decimal', order_type: 'text', limit_price: 'decimal',
    status: 'text', decision_rationale: 'json', correlation_id: 'text', created_at: 'timestamp',
  },
};

export const POSITIONS: RecordTable = {
  table: 'positions',
  externalId: 'external_id',
  columns: {
    external_id: 'text', account: 'text', symbol: 'text', quantity: 'decimal', avg_cost: 'decimal', status: 'text', opened_at: 'timestamp', closed_at: 'timestamp',
  },
};

export const EXECUTIONS: RecordTable = {
  table: 'trade_executions',
  externalId: 'execution_id',
  columns: {
    execution_id: 'text', trade_decision_id: 'integer', position_id: 'integer', broker_order_id: 'text', status: 'text', filled_quantity: 'decimal',
    fill_price: 'decimal', commission: 'decimal', error_message: 'text', api_request_payload_id: 'integer', api_response_payload_id: 'integer',
    submitted_at: 'timestamp', filled_at: 'timestamp', created_at: 'timestamp',
  },
};

/** Events compare on what happened, not on who appended them or when the database did. */
export const EVENTS: RecordTable = {
  table: 'audit_events',
  externalId: 'external_id',
  columns: { external_id: 'text', log_type: 'text', event: 'text', event_data: 'json', subject_table: 'text', subject_id: 'integer', occurred_at: 'timestamp' },
};
