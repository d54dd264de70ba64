import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeExecution } from '../entities';
import { childPageLoader } from './child-page';

/** TradeDecision.executions (more than one is a duplicate the integrity audit flags). */
export const executionsByDecision = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'TradeDecision',
    field: 'executions',
    entity: TradeExecution,
    table: 'trade_executions',
    rows: (parents) =>
      `select e.*, e.trade_decision_id as parent_id from trade_executions e where e.trade_decision_id = any(${parents})`,
  });
