import { Entity, ManyToOne } from '@mikro-orm/core';
import { ApiPayload } from './api-payload.entity';
import { TradeDecision } from './trade-decision.entity';
import { RecordedXid } from './recorded-xid';

/** Which API payloads fed which decision (the `FED` edge of the lineage). */
@Entity({ tableName: 'decision_inputs' })
export class DecisionInput {
  @ManyToOne(() => TradeDecision, {
    primary: true,
    fieldName: 'trade_decision_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
  })
  tradeDecision!: TradeDecision;

  // The primary key starts with the decision, so walking payload → decisions
  // needs its own index on the second column.
  @ManyToOne(() => ApiPayload, {
    primary: true,
    fieldName: 'api_payload_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  apiPayload!: ApiPayload;

  /** The writer's transaction id, filled by the database (see recorded-xid.ts). */
  @RecordedXid()
  recordedXid?: string;
}
