import { DateTime } from '../graphql/date-time.scalar';
import type { Instant } from '../time/instant';
import { GraphQLJSON, GraphQLJSONObject } from '../graphql/json.scalar';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LogType, type SubjectTable } from '../entities/audit-event.entity';
import { PayloadDirection } from '../entities/api-payload.entity';
import { IngestionRunStatus } from '../entities/ingestion-run.entity';
import { PositionStatus } from '../entities/position.entity';
import { DecisionStatus, TradeSide } from '../entities/trade-decision.entity';
import { ExecutionStatus } from '../entities/trade-execution.entity';
import { Decimal } from '../graphql/decimal.scalar';
import { LIFECYCLE_TYPES, tableOf } from '../lineage/node-types';

// What producers send. Records link to each other by the producers' own ids
// (runId, decisionId, executionId, a payload's or position's externalId), never by row ids.

@InputType({ description: 'An ingestion run, keyed by runId.' })
export class IngestionRunInput {
  @Field() runId!: string;
  @Field() taskName!: string;
  @Field() source!: string;
  @Field(() => IngestionRunStatus) status!: IngestionRunStatus;
  @Field(() => Int, { nullable: true }) recordsFetched?: number | null;
  @Field(() => String, { nullable: true }) errorMessage?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
  @Field(() => DateTime) startedAt!: Instant;
  @Field(() => DateTime, { nullable: true }) finishedAt?: Instant | null;
}

@InputType({ description: 'An API payload, keyed by externalId.' })
export class ApiPayloadInput {
  @Field() externalId!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The runId of the ingestion run that fetched it; none for broker calls.',
  })
  ingestionRunId?: string | null;
  @Field(() => PayloadDirection) direction!: PayloadDirection;
  @Field() provider!: string;
  @Field() endpoint!: string;
  @Field() httpMethod!: string;
  @Field(() => Int, { nullable: true }) httpStatus?: number | null;
  @Field(() => Int, { nullable: true }) latencyMs?: number | null;
  @Field(() => GraphQLJSON, { nullable: true }) payload?: unknown;
  @Field(() => String, { nullable: true }) correlationId?: string | null;
  @Field(() => DateTime) createdAt!: Instant;
}

@InputType({ description: 'A trade decision, keyed by decisionId.' })
export class TradeDecisionInput {
  @Field() decisionId!: string;
  @Field() strategy!: string;
  @Field() symbol!: string;
  @Field(() => TradeSide) side!: TradeSide;
  @Field(() => Decimal) quantity!: string;
  @Field() orderType!: string;
  @Field(() => Decimal, { nullable: true }) limitPrice?: string | null;
  @Field(() => DecisionStatus, {
    nullable: true,
    description: 'As it stands when recorded (default pending); later changes are recordStatusChange.',
  })
  status?: DecisionStatus | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) rationale?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) correlationId?: string | null;
  @Field(() => [String], { nullable: true, description: 'externalIds of the API payloads that fed the decision.' })
  inputPayloadIds?: string[] | null;
  @Field(() => DateTime) createdAt!: Instant;
}

@InputType({ description: 'A position, keyed by externalId.' })
export class PositionInput {
  @Field() externalId!: string;
  @Field() account!: string;
  @Field() symbol!: string;
  @Field(() => Decimal, { description: 'Signed: negative for a short position.' }) quantity!: string;
  @Field(() => Decimal, { nullable: true }) avgCost?: string | null;
  @Field(() => PositionStatus, { nullable: true, description: 'Default open.' }) status?: PositionStatus | null;
  @Field(() => DateTime) openedAt!: Instant;
  @Field(() => DateTime, { nullable: true }) closedAt?: Instant | null;
}

@InputType({ description: 'An execution, keyed by executionId.' })
export class TradeExecutionInput {
  @Field() executionId!: string;
  @Field(() => String, { nullable: true, description: 'decisionId of the decision it carries out.' }) decisionId?:
    string | null;
  @Field(() => String, { nullable: true, description: 'externalId of the position it built.' }) positionId?:
    string | null;
  @Field(() => String, { nullable: true }) brokerOrderId?: string | null;
  @Field(() => ExecutionStatus) status!: ExecutionStatus;
  @Field(() => Decimal, { nullable: true }) filledQuantity?: string | null;
  @Field(() => Decimal, { nullable: true }) fillPrice?: string | null;
  @Field(() => Decimal, { nullable: true }) commission?: string | null;
  @Field(() => String, { nullable: true }) errorMessage?: string | null;
  @Field(() => String, { nullable: true, description: 'externalId of the broker request payload.' }) requestPayloadId?:
    string | null;
  @Field(() => String, { nullable: true, description: 'externalId of the broker response payload.' })
  responsePayloadId?: string | null;
  @Field(() => DateTime, { nullable: true }) submittedAt?: Instant | null;
  @Field(() => DateTime, { nullable: true }) filledAt?: Instant | null;
  @Field(() => DateTime) createdAt!: Instant;
}

/** A node type with a lifecycle, as the record API names it (its lifecycle's kind); the value is its table. */
export type RecordKind = SubjectTable;
export const RecordKind: Readonly<Record<string, RecordKind>> = Object.fromEntries(
  LIFECYCLE_TYPES.map(({ type, lifecycle }) => [lifecycle.kind, tableOf(type)]),
);
registerEnumType(RecordKind, { name: 'RecordKind', description: 'The records that have a lifecycle.' });

@InputType({ description: 'A record named by its kind and its producer id.' })
export class RecordReference {
  @Field(() => RecordKind) kind!: RecordKind;
  @Field({ description: 'runId, decisionId, executionId or the position externalId.' }) externalId!: string;
}

@InputType({ description: 'A lifecycle change, appended as a status_changed event: the record itself never changes.' })
export class StatusChangeInput {
  @Field({ description: 'The producer id of this change; sending it again is a no-op.' }) externalId!: string;
  @Field(() => RecordReference) subject!: RecordReference;
  @Field({ description: 'The new status, one its kind allows after the current one.' }) to!: string;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => DateTime) occurredAt!: Instant;
}

@InputType({ description: 'An event for the audit event log.' })
export class AuditEventInput {
  @Field({ description: 'The producer id of this event; sending it again is a no-op.' }) externalId!: string;
  @Field(() => LogType, { description: 'Any but ADMIN, which auditgraph writes itself.' }) logType!: LogType;
  @Field() event!: string;
  @Field(() => GraphQLJSONObject, { nullable: true }) data?: Record<string, unknown> | null;
  @Field(() => ID, { nullable: true, description: 'The global id of the node it concerns.' }) subjectId?: string | null;
  @Field(() => DateTime) occurredAt!: Instant;
}

@ObjectType({
  description: 'What a record mutation did: every record is either new or already recorded with the same content.',
})
export class RecordResult {
  @Field(() => Int) created!: number;
  @Field(() => Int, { description: 'Records already recorded with the same content: nothing was written for them.' })
  unchanged!: number;
  @Field(() => [String], { description: 'The row id (databaseId; seq for events) of each record, in the order sent.' })
  databaseIds!: string[];
}
