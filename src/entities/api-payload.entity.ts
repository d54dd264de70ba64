import { Check, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { GraphQLJSON } from '../graphql/json.scalar';
import { Node } from '../graphql/node.interface';
import { LineageRecord } from './lineage-record';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { searchIndexDdl } from '../sql/search-vectors';
import { IngestionRun } from './ingestion-run.entity';

export enum PayloadDirection {
  request = 'request',
  response = 'response',
}
registerEnumType(PayloadDirection, { name: 'PayloadDirection' });

/**
 * A body exchanged with an external API: what an ingestion run fetched, or
 * what was sent to and received from the broker for an execution.
 */
@ObjectType({ implements: Node, description: 'A request or response body exchanged with an external API.' })
@Entity({ tableName: 'api_payloads' })
@Check({ name: 'api_payloads_http_status_range', expression: '(http_status >= 100) AND (http_status <= 599)' })
@Check({
  name: 'api_payloads_sizes_not_negative',
  expression: 'payload_bytes >= 0 and (latency_ms is null or latency_ms >= 0)',
})
@Index({ properties: ['createdAt', 'id'] })
@Index({ properties: ['provider', 'createdAt'] })
@Index({ properties: ['correlationId'] })
@Index({
  name: 'api_payloads_payload_gin',
  expression: 'create index "api_payloads_payload_gin" on "api_payloads" using gin ("payload")',
})
// Broker payloads by id, for the integrity audit's "referenced by nothing": an index-only
// merge anti-join against the executions' payload links instead of a hash over 2 M rows.
@Index({
  name: 'api_payloads_unfetched_id_index',
  expression:
    'create index "api_payloads_unfetched_id_index" on "api_payloads" ("id", "created_at") ' +
    'where ingestion_run_id is null',
})
@Index({ name: 'api_payloads_search_gin', expression: searchIndexDdl('api_payloads') })
export class ApiPayload extends LineageRecord {
  /** Null for broker calls, which belong to an execution rather than a run. */
  @ManyToOne(() => IngestionRun, {
    nullable: true,
    fieldName: 'ingestion_run_id',
    deleteRule: 'restrict',
    updateRule: 'restrict',
    index: true,
  })
  ingestionRun: IngestionRun | null = null;

  @Field(() => PayloadDirection)
  @Enum({ items: () => PayloadDirection, type: 'text' })
  direction!: PayloadDirection;

  @Field({ description: 'API provider, e.g. quiverquant or alpaca.' })
  @Property({ type: 'text' })
  provider!: string;

  @Field()
  @Property({ type: 'text' })
  endpoint!: string;

  @Field()
  @Property({ type: 'text' })
  httpMethod!: string;

  @Field(() => Int, { nullable: true, description: 'HTTP status of a response; null on requests.' })
  @Property({ type: 'smallint', nullable: true })
  httpStatus: number | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  latencyMs: number | null = null;

  @Field(() => GraphQLJSON, { nullable: true })
  @Property({ type: 'jsonb', nullable: true })
  payload: unknown = null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  payloadBytes!: number;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  correlationId: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: "The producer's id for the payload, by which records link to it; recording it twice is a no-op.",
  })
  @Property({ type: 'text', nullable: true, unique: true })
  externalId: string | null = null;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  createdAt: Instant = instantOf(new Date());
}
