/**
 * How producers' records land in the lineage tables: each table's external
 * id (the producer's own key, on which writes are idempotent) and the columns
 * a producer sets, which are compared when a record arrives a second time.
 *
 * Only names are kept here: how two values compare (`10.5` and
 * `10.50000000`, two spellings of one instant, reordered JSON keys) is the
 * column type's own rule, applied by PostgreSQL through the table's row type.
 * (The table and column names repeat what the entities' MikroORM metadata
 * knows; deriving them from it belongs with "the lineage graph, defined once".)
 */
export type RecordTable = {
  table: 'data_ingestion_runs' | 'api_payloads' | 'trade_decisions' | 'positions' | 'trade_executions' | 'audit_events';
  /** The unique column holding the producer's id. */
  externalId: string;
  /** Every column a producer sets, in the order a CONFLICT message names them. */
  columns: readonly string[];
};

export const RUNS: RecordTable = {
  table: 'data_ingestion_runs',
  externalId: 'run_id',
  columns: [
    'run_id',
    'task_name',
    'source',
    'status',
    'records_fetched',
    'error_message',
    'metadata',
    'started_at',
    'finished_at',
    'created_at',
  ],
};

/**
 * payload_bytes is not compared: the gateway measures it from the body as it
 * was spelled (`1e400` is 5 bytes, `-0` 2), while jsonb keeps the number
 * (401 digits, `0`), so the body read back and sent again would differ in
 * size alone. The body itself is compared, as jsonb; its first size stays.
 */
export const PAYLOADS: RecordTable = {
  table: 'api_payloads',
  externalId: 'external_id',
  columns: [
    'external_id',
    'ingestion_run_id',
    'direction',
    'provider',
    'endpoint',
    'http_method',
    'http_status',
    'latency_ms',
    'payload',
    'correlation_id',
    'created_at',
  ],
};

export const DECISIONS: RecordTable = {
  table: 'trade_decisions',
  externalId: 'decision_id',
  columns: [
    'decision_id',
    'strategy',
    'symbol',
    'side',
    'quantity',
    'order_type',
    'limit_price',
    'status',
    'decision_rationale',
    'correlation_id',
    'created_at',
  ],
};

export const POSITIONS: RecordTable = {
  table: 'positions',
  externalId: 'external_id',
  columns: ['external_id', 'account', 'symbol', 'quantity', 'avg_cost', 'status', 'opened_at', 'closed_at'],
};

export const EXECUTIONS: RecordTable = {
  table: 'trade_executions',
  externalId: 'execution_id',
  columns: [
    'execution_id',
    'trade_decision_id',
    'position_id',
    'broker_order_id',
    'status',
    'filled_quantity',
    'fill_price',
    'commission',
    'error_message',
    'api_request_payload_id',
    'api_response_payload_id',
    'submitted_at',
    'filled_at',
    'created_at',
  ],
};

/** Events compare on what happened, not on who appended them or when the database did. */
export const EVENTS: RecordTable = {
  table: 'audit_events',
  externalId: 'external_id',
  columns: ['external_id', 'log_type', 'event', 'event_data', 'subject_table', 'subject_id', 'occurred_at'],
};
