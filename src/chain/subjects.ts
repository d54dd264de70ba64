import type { SubjectTable } from '../entities/audit-event.entity';
import type { NodeType } from '../graphql/global-id';

/** The table of each node type: an event's subject is stored as (table, row id). */
export const TABLE_OF_NODE: Record<NodeType, SubjectTable> = {
  IngestionRun: 'data_ingestion_runs',
  ApiPayload: 'api_payloads',
  TradeDecision: 'trade_decisions',
  TradeExecution: 'trade_executions',
  Position: 'positions',
};

const NODE_OF_TABLE = new Map(Object.entries(TABLE_OF_NODE).map(([node, table]) => [table, node as NodeType]));

/** The node type of a subject table; decision_inputs rows are links, not nodes. */
export const nodeTypeOf = (table: SubjectTable): NodeType | null => NODE_OF_TABLE.get(table) ?? null;
