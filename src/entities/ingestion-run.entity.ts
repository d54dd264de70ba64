import { Check, Entity, OptionalProps, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLDateTime, GraphQLJSONObject } from 'graphql-scalars';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node.interface';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

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
export class IngestionRun {
  // Derived, never written: MikroORM must not ask for them in em.create().
  [OptionalProps]?: 'nodeId' | 'databaseId';

  /** The row id (bigint, as a string); GraphQL exposes it as `databaseId`. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => ID, { name: 'id', description: 'Opaque global id (Relay); pass it to node(id:) or to this type\'s lookup.' })
  get nodeId(): string {
    return toGlobalId('IngestionRun', this.id);
  }

  @Field({ description: 'The row id in PostgreSQL, for SQL and scripts.' })
  get databaseId(): string {
    return this.id;
  }

  @Field({ description: 'External id the producing system gave the run.' })
  @Property({ type: 'text', unique: true })
  runId!: string;

  @Field({ description: 'Task that ran, e.g. data_fetch:congress_daily.' })
  @Property({ type: 'text' })
  taskName!: string;

  @Field({ description: 'Data provider, e.g. quiverquant or alpaca.' })
  @Property({ type: 'text' })
  source!: string;

  @Field(() => IngestionRunStatus)
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

  @Field(() => GraphQLDateTime)
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  @Field(() => GraphQLDateTime)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
