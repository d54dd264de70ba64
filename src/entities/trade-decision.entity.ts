import { Check, Entity, Enum, Index, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { Node } from '../graphql/node.interface';
import { LineageRecord } from './lineage-record';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { searchIndexDdl } from '../sql/search-vectors';
import { Decimal } from '../graphql/decimal.scalar';

export enum TradeSide {
  buy = 'buy',
  sell = 'sell',
}
registerEnumType(TradeSide, { name: 'TradeSide' });

export enum DecisionStatus {
  pending = 'pending',
  executed = 'executed',
  failed = 'failed',
  cancelled = 'cancelled',
}
registerEnumType(DecisionStatus, { name: 'DecisionStatus' });

/** A strategy's decision to trade, with the rationale that justified it. */
@ObjectType({ implements: Node, description: "A strategy's decision to trade, and why." })
@Entity({ tableName: 'trade_decisions' })
@Check({ name: 'trade_decisions_quantity_positive', expression: 'quantity > 0' })
@Check({ name: 'trade_decisions_limit_price_positive', expression: 'limit_price is null or limit_price > 0' })
@Index({ properties: ['createdAt', 'id'] })
@Index({ properties: ['symbol', 'createdAt'] })
@Index({ properties: ['strategy', 'createdAt'] })
@Index({ properties: ['status', 'createdAt'] })
@Index({ properties: ['correlationId'] })
// For the integrity audit's position check: each decision's side, read index-only in id order.
@Index({
  name: 'trade_decisions_side_index',
  expression: 'create index "trade_decisions_side_index" on "trade_decisions" ("id") include ("side")',
})
// For the integrity audit's "executed, nothing filled": the executed decisions, index-only.
@Index({
  name: 'trade_decisions_executed_index',
  expression:
    'create index "trade_decisions_executed_index" on "trade_decisions" ("id", "created_at") ' +
    "where status = 'executed'",
})
// For the integrity audit: holds only the decisions recorded without a rationale.
@Index({
  name: 'trade_decisions_missing_rationale_index',
  expression:
    'create index "trade_decisions_missing_rationale_index" on "trade_decisions" ("created_at") ' +
    "where decision_rationale is null or decision_rationale = '{}'::jsonb",
})
@Index({
  name: 'trade_decisions_decision_rationale_gin',
  expression:
    'create index "trade_decisions_decision_rationale_gin" on "trade_decisions" using gin ("decision_rationale")',
})
@Index({ name: 'trade_decisions_search_gin', expression: searchIndexDdl('trade_decisions') })
export class TradeDecision extends LineageRecord {
  @Field({ description: 'External id the strategy gave the decision.' })
  @Property({ type: 'text', unique: true })
  decisionId!: string;

  @Field({ description: 'Strategy that decided, e.g. CongressionalTradingStrategy.' })
  @Property({ type: 'text' })
  strategy!: string;

  @Field()
  @Property({ type: 'text' })
  symbol!: string;

  @Field(() => TradeSide)
  @Enum({ items: () => TradeSide, type: 'text' })
  side!: TradeSide;

  @Field(() => Decimal)
  @Property({ type: 'decimal', precision: 20, scale: 8 })
  quantity!: string;

  @Field({ description: 'market, limit, stop, …' })
  @Property({ type: 'text' })
  orderType!: string;

  @Field(() => Decimal, { nullable: true })
  @Property({ type: 'decimal', precision: 20, scale: 8, nullable: true })
  limitPrice: string | null = null;

  @Field(() => DecisionStatus, {
    description:
      'Current status: the latest status_changed event about this record, else the status it was written with.',
  })
  @Enum({ items: () => DecisionStatus, type: 'text' })
  status!: DecisionStatus;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Structured why: signal, score, model version, source record ids.',
  })
  @Property({ type: 'jsonb', nullable: true })
  decisionRationale: Record<string, unknown> | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  correlationId: string | null = null;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  createdAt: Instant = instantOf(new Date());
}
