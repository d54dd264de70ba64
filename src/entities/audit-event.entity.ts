import { Check, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { DateTime } from '../graphql/date-time.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { searchIndexDdl } from '../sql/search-vectors';
import { RecordedXid } from './recorded-xid';
import { ACTOR_MAX_LENGTH } from '../base/actor';

export enum LogType {
  TRADE = 'TRADE',
  RISK = 'RISK',
  SYSTEM = 'SYSTEM',
  NAV = 'NAV',
  COMPLIANCE = 'COMPLIANCE',
  ADMIN = 'ADMIN',
}
registerEnumType(LogType, {
  name: 'LogType',
  description: "The trading-log families of the logging spec, and the operators' own actions (ADMIN).",
  valuesConfig: {
    ADMIN: {
      description:
        'What an operator did to the gateway itself (an API key created, rotated or revoked, a CLI report run, a ' +
        'gateway started with the hash of its configuration), written by auditgraph in the same transaction as the ' +
        'change; never by a producer.',
    },
  },
});

/**
 * The lineage tables an event can be about, and that the chain records: each
 * node type's table and the decision_inputs links. Written out here because
 * MikroORM reads the column's allowed values when it decorates the entity
 * (and the migrations' check constraint lists them in this order); the
 * node-type registry, which imports the entities, refuses a node type stored
 * elsewhere, and test/node-types.test.ts checks the two lists agree.
 */
export const SUBJECT_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'decision_inputs',
  'positions',
  'trade_executions',
] as const;
export type SubjectTable = (typeof SUBJECT_TABLES)[number];

/**
 * The events auditgraph writes itself, each with the change it describes (a
 * status change, the legacy chain's records, a purge, a correction): a
 * producer's `recordEvent` may not write them, or it could forge one — a
 * correction that never happened, a purge that erased nothing.
 */
/** A named person certified a day of the record (src/attestation): one per person and day, bound to a checkpoint. */
export const DAY_ATTESTED = 'day_attested';

export const EVENTS_WRITTEN_BY_AUDITGRAPH: ReadonlySet<string> = new Set([
  'status_changed',
  'records_written',
  'retention_purge',
  'record_corrected',
  'legal_hold_placed',
  'legal_hold_released',
  'compliance_package_written',
  'records_restored',
  'archive_written',
  'archive_verified',
  DAY_ATTESTED,
]);

/** The log types only auditgraph writes (with the change they describe), for the same reason. */
export const LOG_TYPES_WRITTEN_BY_AUDITGRAPH: ReadonlySet<LogType> = new Set([LogType.ADMIN]);

/**
 * One entry of the append-only event log. The database numbers every event
 * (`seq`, from a sequence: increasing, gaps possible) whoever inserts it,
 * without a lock: the proof is the Merkle tree, which the integrator grows
 * after commit. Events written before the tree (the legacy chain) keep their
 * `prev_hash` and `hash`, and the lineage rows written then their
 * `records_written` events; both are null or absent after.
 */
@ObjectType({ description: 'An entry of the append-only, hash-chained audit event log.' })
@Entity({ tableName: 'audit_events' })
@Check({ name: 'audit_events_subject_has_table', expression: 'subject_id is null or subject_table is not null' })
@Check({ name: 'audit_events_event_length', expression: '(length(event) >= 1) AND (length(event) <= 200)' })
@Check({
  name: 'audit_events_actor_length',
  expression: `(length(actor) >= 1) AND (length(actor) <= ${ACTOR_MAX_LENGTH})`,
})
@Index({ properties: ['occurredAt', 'id'] })
@Index({ properties: ['logType', 'occurredAt'] })
@Index({ properties: ['subjectTable', 'subjectId', 'id'] })
@Index({
  name: 'audit_events_event_data_gin',
  expression: 'create index "audit_events_event_data_gin" on "audit_events" using gin ("event_data")',
})
// The current status of a record is its latest status change: one index probe per record.
@Index({
  name: 'audit_events_status_change_index',
  expression:
    'create index "audit_events_status_change_index" on "audit_events" ' +
    '("subject_table", "subject_id", "seq" desc) include ("event_data") ' +
    "where event = 'status_changed'",
})
// A person certifies a day once: the database, not a read before the write, refuses the second.
@Index({
  name: 'audit_events_attestation_unique',
  expression:
    'create unique index "audit_events_attestation_unique" on "audit_events" ' +
    `((event_data ->> 'day'), (event_data ->> 'by')) where event = '${DAY_ATTESTED}'`,
})
// Full-text search over what events say (search kind AUDIT_EVENT).
@Index({ name: 'audit_events_search_gin', expression: searchIndexDdl('audit_events') })
export class AuditEvent {
  /** The `seq` column, under the name lists and loaders page by. */
  @PrimaryKey({ type: 'bigint', autoincrement: true, fieldName: 'seq' })
  id!: string;

  @Field(() => String, {
    description: 'Its number in the log, given as it is inserted: unique and increasing, gaps possible.',
  })
  get seq(): string {
    return this.id;
  }

  @Field(() => LogType)
  @Enum({ items: () => LogType, type: 'text' })
  logType!: LogType;

  @Field({ description: 'What happened, e.g. status_changed, position_snapshot, records_written.' })
  @Property({ type: 'text' })
  event!: string;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb', defaultRaw: `'{}'::jsonb` })
  eventData: Record<string, unknown> = {};

  @Field(() => String, {
    nullable: true,
    description: 'The lineage table of the record (or, for records_written, the records) this event is about.',
  })
  @Enum({ items: [...SUBJECT_TABLES], type: 'text', nullable: true })
  subjectTable: SubjectTable | null = null;

  @Field(() => String, { nullable: true, description: 'The row id (databaseId) of the record this event is about.' })
  @Property({ type: 'bigint', nullable: true })
  subjectId: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: "The producer's id for the event; recording it twice is a no-op.",
  })
  @Property({ type: 'text', nullable: true, unique: true })
  externalId: string | null = null;

  @Field({ description: 'Who caused it: a person, a service, or the database role that wrote it.' })
  @Property({ type: 'text' })
  actor!: string;

  @Field(() => DateTime)
  @Property({ type: InstantType })
  occurredAt!: Instant;

  @Field(() => DateTime, { description: 'When the database appended it.' })
  @Property({ type: InstantType, defaultRaw: 'now()' })
  recordedAt: Instant = instantOf(new Date());

  /** Row keys of a `records_written` event (the id; a decision's id for decision_inputs). */
  @Property({ type: 'bigint[]', columnType: 'bigint[]', nullable: true })
  recordIds: string[] | null = null;

  /** SHA-256 of each written row's canonical content, in `recordIds` order. */
  @Property({ type: 'bytea[]', columnType: 'bytea[]', nullable: true })
  recordHashes: Buffer[] | null = null;

  @Field(() => Int, { nullable: true, description: 'How many records a records_written event covers.' })
  get recordCount(): number | null {
    return this.recordIds?.length ?? null;
  }

  @Field(() => String, {
    nullable: true,
    description:
      'Legacy chain: SHA-256 (hex) of the previous event, 64 zeros before the first; null for events the Merkle tree proves.',
  })
  get previousHash(): string | null {
    return this.prevHash && Buffer.from(this.prevHash).toString('hex');
  }

  @Field(() => String, {
    nullable: true,
    description:
      "Legacy chain: SHA-256 (hex) of the previous hash and this event's canonical content; null for events the Merkle tree proves.",
  })
  get chainHash(): string | null {
    return this.hash && Buffer.from(this.hash).toString('hex');
  }

  @Property({ type: 'bytea', unique: true, nullable: true })
  prevHash: Buffer | null = null;

  @Property({ type: 'bytea', nullable: true })
  hash: Buffer | null = null;

  /** The writer's transaction id, filled by the database (see recorded-xid.ts). */
  @RecordedXid()
  recordedXid?: string;
}
