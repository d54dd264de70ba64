import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant } from '../time/instant';
import { InstantType } from './instant.type';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type Role } from './api-key.entity';
import { ApiKey } from './api-key.entity';
import { RecordedXid } from './recorded-xid';

export enum QueryOutcome {
  /** Executed without errors. */
  ok = 'ok',
  /** Executed, with errors in the response (some fields may still have answered). */
  error = 'error',
  /** Refused before execution: unparsable, invalid, too costly. */
  rejected = 'rejected',
  /** Refused for want of a valid API key. */
  unauthenticated = 'unauthenticated',
  /** Refused by the caller's rate limit. */
  rateLimited = 'rate_limited',
}
registerEnumType(QueryOutcome, { name: 'QueryOutcome', description: 'How an operation ended.' });

/** One GraphQL operation the gateway was asked to run: who, what, how long, how it ended. Append-only. */
@ObjectType({ description: 'One operation the gateway was asked to run: who, what, how long, how it ended.' })
@Entity({ tableName: 'query_audit_log' })
@Index({ properties: ['startedAt'] })
@Index({ properties: ['apiKey', 'startedAt'] })
@Index({ properties: ['operationName', 'startedAt'] })
export class QueryAuditEntry {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field({ description: "The response's X-Request-Id, also on the gateway's log lines." })
  @Property({ type: 'text' })
  requestId!: string;

  /**
   * The W3C trace id (32 hex digits) the request joined or started, also on
   * its access-log line; null for entries written before traces were kept.
   * Not a GraphQL field: the fields are the entry's Merkle leaf, and every
   * entry integrated before this column must keep the leaf it was proven by.
   */
  @Property({ type: 'text', nullable: true })
  traceId: string | null = null;

  /** Null for anonymous callers and refused keys. */
  @ManyToOne(() => ApiKey, { nullable: true, deleteRule: 'restrict' })
  apiKey: ApiKey | null = null;

  @Field(() => String, { description: 'The role the caller held then; `anonymous` without a key.' })
  @Property({ type: 'text' })
  role!: Role | 'anonymous';

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  clientAddress: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  operationName: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'query or mutation; null when the document did not resolve to one.',
  })
  @Property({ type: 'text', nullable: true })
  operationType: string | null = null;

  /** Its text is in query_documents, once per distinct document. */
  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 of the GraphQL document, hex; null when the request carried none.',
  })
  @Property({ type: 'text', nullable: true })
  queryHash: string | null = null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The variables, with configured names redacted.' })
  @Property({ type: 'jsonb', nullable: true })
  variables: Record<string, unknown> | null = null;

  @Field(() => Float)
  @Property({ type: 'double precision' })
  durationMs!: number;

  @Field(() => QueryOutcome)
  @Enum({ items: () => QueryOutcome, type: 'text' })
  outcome!: QueryOutcome;

  @Field(() => [String], { description: 'The distinct error codes (extensions.code) of the response.' })
  @Property({ type: 'text[]', default: '{}' })
  errorCodes: string[] = [];

  @Field(() => DateTime)
  @Property({ type: InstantType })
  startedAt!: Instant;

  /** The writer's transaction id, filled by the database (see recorded-xid.ts): one tree leaf per writer transaction. */
  @RecordedXid()
  recordedXid?: string;
}
