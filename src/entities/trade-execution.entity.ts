import { Check, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { Node } from '../graphql/node.interface';
import { LineageRecord } from './lineage-record';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { searchIndexDdl } from '../sql/search-vectors';
import { Decimal } from '../graphql/decimal.scalar';
import { ApiPayload } from './api-payload.entity';
import { Position } from './position.entity';
import { TradeDecision } from './trade-decision.entity';

export enum ExecutionStatus {
  submitted = 'submitted',
  filled = 'filled',
  partially_filled = 'partially_filled',
  rejected = 'rejected',
  cancelled = 'cancelled',
}
registerEnumType(ExecutionStatus, { name: 'ExecutionStatus' });

/** An order sent to the broker for a decision, and what came of it. */
@ObjectType({ implements: Node, description: 'An order sent to the broker for a decision, and what came of it.' })
@Entity({ tableName: 'trade_executions' })
@Check({ name: 'trade_executions_filled_quantity_not_negative', expression: 'filled_quantity >= 0' })
@Index({ properties: ['createdAt', 'id'] })
@Index({ properties: ['status', 'createdAt'] })
@Index({ properties: ['submittedAt'] })
@Index({ properties: ['filledAt'] })
// Small partial indexes for the integrity audit's checks: they hold only the defects.
@Index({
  name: 'trade_executions_missing_payload_index',
  expression:
    'create index "trade_executions_missing_payload_index" on "trade_executions" ("created_at") ' +
    'where api_request_payload_id is null or api_response_payload_id is null',
})
// The position check sums every position's signed fills: index-only, merged with the decisions' sides.
@Index({
  name: 'trade_executions_position_fills_index',
  expression:
    'create index "trade_executions_position_fills_index" on "trade_executions" ("trade_decision_id") ' +
    'include ("position_id", "filled_quantity") where position_id is not null',
})
@Index({
  name: 'trade_executions_filled_decision_index',
  expression:
    'create index "trade_executions_filled_decision_index" on "trade_executions" ("trade_decision_id") ' +
    'where filled_quantity > 0',
})
@Index({
  name: 'trade_executions_without_decision_index',
  expression:
    'create index "trade_executions_without_decision_index" on "trade_executions" ("created_at") ' +
    'where trade_decision_id is null',
})
@Index({ name: 'trade_executions_search_gin', expression: searchIndexDdl('trade_executions') })
export class TradeExecution extends LineageRecord {
  @Field({ description: 'External id the execution system gave the order.' })
  @Property({ type: 'text', unique: true })
  executionId!: string;

  @ManyToOne(() => TradeDecision, {
    nullable: true,
    fieldName: 'trade_decision_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  tradeDecision: TradeDecision | null = null;

  @ManyToOne(() => Position, {
    nullable: true,
    fieldName: 'position_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  position: Position | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  brokerOrderId: string | null = null;

  @Field(() => ExecutionStatus, {
    description:
      'Current status: the latest status_changed event about this record, else the status it was written with.',
  })
  @Enum({ items: () => ExecutionStatus, type: 'text' })
  status!: ExecutionStatus;

  @Field(() => Decimal)
  @Property({ type: 'decimal', precision: 20, scale: 8, default: 0 })
  filledQuantity: string = '0';

  @Field(() => Decimal, { nullable: true })
  @Property({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  fillPrice: string | null = null;

  @Field(() => Decimal, { nullable: true })
  @Property({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  commission: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @ManyToOne(() => ApiPayload, {
    nullable: true,
    fieldName: 'api_request_payload_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  apiRequestPayload: ApiPayload | null = null;

  @ManyToOne(() => ApiPayload, {
    nullable: true,
    fieldName: 'api_response_payload_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  apiResponsePayload: ApiPayload | null = null;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  submittedAt: Instant | null = null;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  filledAt: Instant | null = null;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  createdAt: Instant = instantOf(new Date());
}
