import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeExecution } from '../entities';
import { childPageLoader } from './child-page';

/**
 * ApiPayload.executions: the executions that sent a payload as their broker
 * request or received it as their response. Normally one; a list, so that a
 * payload wrongly shared by two executions is shown rather than hidden. Each
 * branch uses its own foreign-key index.
 */
export const executionsByPayload = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'ApiPayload',
    field: 'executions',
    entity: TradeExecution,
    table: 'trade_executions',
    rows: (parents) => `select e.*, e.api_request_payload_id as parent_id
        from trade_executions e where e.api_request_payload_id = any(${parents})
      union all
      select e.*, e.api_response_payload_id as parent_id
        from trade_executions e where e.api_response_payload_id = any(${parents})
          and e.api_response_payload_id is distinct from e.api_request_payload_id`,
  });
