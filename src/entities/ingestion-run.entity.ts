import { Check, Entity, Enum, Index, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { Node } from '../graphql/node.interface';
import { LineageRecord } from './lineage-record';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum IngestionRunStatus {
  running = 'running',
  succeeded = 'succeeded',
  failed = 'failed',
}
registerEnumType(IngestionRunStatus, { name: 'IngestionRunStatus' });

/** One execution of a data-fetch task (e.g. `data_fetch:congress_daily`). */
@ObjectType({ implements: Node, description: 'One execution of a data-fetch task; the upstream end of every lineage.' })
@Entity({ tableName: 'data_ingestion_runs' })
@Check({ name: 'data_ingestion_runs_records_fetched_not_negative', expression: 'records_fetched >= 0' })
@Index({ properties: ['createdAt', 'id'] })
@Index({ properties: ['source', 'createdAt'] })
@Index({ properties: ['taskName', 'createdAt'] })
@Index({ properties: ['startedAt'] })
@Index({
  name: 'data_ingestion_runs_metadata_gin',
  expression: 'create index "data_ingestion_runs_metadata_gin" on "data_ingestion_runs" using gin ("metadata")',
})
export class IngestionRun extends LineageRecord {
  @Field({ description: 'External id the producing system gave the run.' })
  @Property({ type: 'text', unique: true })
  runId!: string;

  @Field({ description: 'Task that ran, e.g. data_fetch:congress_daily.' })
  @Property({ type: 'text' })
  taskName!: string;

  @Field({ description: 'Data provider, e.g. quiverquant or alpaca.' })
  @Property({ type: 'text' })
  source!: string;

  @Field(() => IngestionRunStatus, {
    description:
      'Current status: the latest status_changed event about this record, else the status it was written with.',
  })
  @Enum({ items: () => IngestionRunStatus, type: 'text' })
  status!: IngestionRunStatus;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  recordsFetched: number = 0;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb', default: '{}' })
  metadata: Record<string, unknown> = {};

  @Field(() => DateTime)
  @Property({ type: InstantType })
  startedAt!: Instant;

  @Field(() => DateTime, { nullable: true })
  @Property({ type: InstantType, nullable: true })
  finishedAt: Instant | null = null;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  createdAt: Instant = instantOf(new Date());
}
