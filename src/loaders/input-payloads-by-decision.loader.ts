import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiPayload } from '../entities';
import { childPageLoader } from './child-page';

/** TradeDecision.inputs: the payloads that fed each decision, through decision_inputs. */
export const inputPayloadsByDecision = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'TradeDecision',
    field: 'inputs',
    entity: ApiPayload,
    table: 'api_payloads',
    rows: (parents) => `select p.*, i.trade_decision_id as parent_id
      from decision_inputs i join api_payloads p on p.id = i.api_payload_id
      where i.trade_decision_id = any(${parents})`,
  });
