import type { EntityManager } from '@mikro-orm/postgresql';
import { TradeDecision } from '../entities';
import { childPageLoader } from './child-page';

/** ApiPayload.decisions: the decisions each payload fed, through decision_inputs. */
export const decisionsByInputPayload = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'ApiPayload',
    field: 'decisions',
    entity: TradeDecision,
    table: 'trade_decisions',
    rows: (parents) => `select d.*, i.api_payload_id as parent_id
      from decision_inputs i join trade_decisions d on d.id = i.trade_decision_id
      where i.api_payload_id = any(${parents})`,
  });
