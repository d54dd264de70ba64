import type { EntityManager } from '@mikro-orm/postgresql';
import type { RecordResult, TradeExecutionInput } from './record-inputs';
import { DECISIONS, EXECUTIONS, PAYLOADS, POSITIONS } from './record-tables';
import { checkCount, checkDecimal, checkText } from './input-checks';
import { links, record } from './record-batch';
import { DECIMAL_RULES } from './field-rules';

export function recordExecutions(
  em: EntityManager,
  actor: string,
  executions: TradeExecutionInput[],
): Promise<RecordResult> {
  checkCount(executions);
  executions.forEach((execution, index) => {
    checkText(execution.executionId, `records[${index}].executionId`);
    checkText(execution.brokerOrderId, `records[${index}].brokerOrderId`, false);
    checkText(execution.errorMessage, `records[${index}].errorMessage`, false);
    for (const [field, rule] of Object.entries(DECIMAL_RULES.TradeExecution!))
      checkDecimal(execution[field as keyof TradeExecutionInput] as string | null, `records[${index}].${field}`, rule);
  });
  return record(
    em,
    actor,
    EXECUTIONS,
    executions.map((execution) => execution.executionId),
    (bundle) => {
      bundle.executions = executions.map((execution, index) => ({
        source: `records[${index}]`,
        row: {
          execution_id: execution.executionId,
          broker_order_id: execution.brokerOrderId ?? null,
          status: execution.status,
          filled_quantity: execution.filledQuantity ?? '0',
          fill_price: execution.fillPrice ?? null,
          commission: execution.commission ?? null,
          error_message: execution.errorMessage ?? null,
          submitted_at: execution.submittedAt ?? null,
          filled_at: execution.filledAt ?? null,
          created_at: execution.createdAt,
        },
        links: links([
          ['trade_decision_id', DECISIONS, execution.decisionId],
          ['position_id', POSITIONS, execution.positionId],
          ['api_request_payload_id', PAYLOADS, execution.requestPayloadId],
          ['api_response_payload_id', PAYLOADS, execution.responsePayloadId],
        ]),
      }));
    },
  );
}
