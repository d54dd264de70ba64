import { ObjectType } from 'type-graphql';
import {
  ApiPayload,
  AuditEvent,
  IngestionRun,
  Position,
  QueryAuditEntry,
  RecordCorrection,
  TradeDecision,
  TradeExecution,
} from '../../entities';
import { Connection } from '../../graphql/pagination/connection';

// One connection type per node type, shared by the root list and every node's
// own list of that type, so a client's fragments fit both.

@ObjectType()
export class IngestionRunConnection extends Connection(IngestionRun, 'IngestionRun') {}

@ObjectType()
export class ApiPayloadConnection extends Connection(ApiPayload, 'ApiPayload') {}

@ObjectType()
export class TradeDecisionConnection extends Connection(TradeDecision, 'TradeDecision') {}

@ObjectType()
export class TradeExecutionConnection extends Connection(TradeExecution, 'TradeExecution') {}

@ObjectType()
export class PositionConnection extends Connection(Position, 'Position') {}

@ObjectType()
export class QueryAuditEntryConnection extends Connection(QueryAuditEntry, 'QueryAuditEntry') {}

@ObjectType()
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}

@ObjectType()
export class RecordCorrectionConnection extends Connection(RecordCorrection, 'RecordCorrection') {}
