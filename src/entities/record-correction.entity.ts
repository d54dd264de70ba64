import { Check, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime } from '../graphql/date-time.scalar';
import { toGlobalId } from '../graphql/global-id';
import { GraphQLJSONObject } from '../graphql/json.scalar';
import { type Instant, instantOf } from '../time/instant';
import { InstantType } from './instant.type';
import { RecordedXid } from './recorded-xid';

/**
 * The tables of the node types, the records a correction can be about (a
 * decision input is a link, not a correctable record). Written out for the
 * same reason as SUBJECT_TABLES; test/corrections.test.ts checks it against
 * the node-type registry.
 */
export const CORRECTABLE_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'trade_decisions',
  'positions',
  'trade_executions',
] as const;
export type CorrectableTable = (typeof CORRECTABLE_TABLES)[number];

/** The GraphQL type of a correction, the type name its global id carries. */
export const CORRECTION_TYPE = 'RecordCorrection';

/** A correction's `id` as the API answers it (and its leaf holds it): the global id of its row id. */
export const correctionGlobalId = (rowId: string): string => toGlobalId(CORRECTION_TYPE, rowId);

/**
 * An appended correction of a wrong record (issue 23): which fields it
 * supersedes, with their values before and after as the API writes them,
 * who made it and why. Applying it updates the record's row in the same
 * transaction, the one update the database lets through (its trigger checks
 * the row against this correction), so every read follows it; the record's
 * leaf in the Merkle tree stays its original content, and this correction is
 * a leaf of its own.
 */
@ObjectType(CORRECTION_TYPE, {
  description:
    'A correction of a wrong record: the fields it supersedes, their values before and after, who and why. ' +
    'The record answers the corrected values; its original stays provable.',
})
@Entity({ tableName: 'record_corrections' })
@Check({ name: 'record_corrections_reason_length', expression: '(length(reason) >= 1) AND (length(reason) <= 2000)' })
@Check({
  name: 'record_corrections_fields',
  expression: "jsonb_typeof(corrected) = 'object' and jsonb_typeof(superseded) = 'object' and corrected <> '{}'::jsonb",
})
@Index({ properties: ['subjectTable', 'subjectId', 'id'] })
export class RecordCorrection {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Enum({ items: [...CORRECTABLE_TABLES], type: 'text' })
  subjectTable!: CorrectableTable;

  @Property({ type: 'bigint' })
  subjectId!: string;

  @Field(() => GraphQLJSONObject, { description: 'Each corrected field (GraphQL name) and its new value.' })
  @Property({ type: 'jsonb' })
  corrected!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { description: 'Each corrected field and the value it had before.' })
  @Property({ type: 'jsonb' })
  superseded!: Record<string, unknown>;

  @Field()
  @Property({ type: 'text' })
  reason!: string;

  @Field({ description: 'Who corrected it.' })
  @Property({ type: 'text' })
  actor!: string;

  @Field(() => DateTime)
  @Property({ type: InstantType, defaultRaw: 'now()' })
  correctedAt: Instant = instantOf(new Date());

  /** The writer's transaction id, filled by the database (see recorded-xid.ts). */
  @RecordedXid()
  recordedXid?: string;

  @Field(() => ID, {
    name: 'id',
    description: 'Opaque id of the correction, for `inclusionProof(id:)` and `auditgraph prove`.',
  })
  get correctionId(): string {
    return correctionGlobalId(this.id);
  }
}
