import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeExecution } from '../entities';
import { childPageLoader } from './child-page';

/** Position.executions: the fills that built each position. */
export const executionsByPosition = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'Position',
    field: 'executions',
    entity: TradeExecution,
    table: 'trade_executions',
    rows: (parents) =>
      `select e.*, e.position_id as parent_id from trade_executions e where e.position_id = any(${parents})`,
  });
