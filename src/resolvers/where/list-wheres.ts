import {
  ApiPayload,
  AuditEvent,
  IngestionRun,
  Position,
  QueryAuditEntry,
  TradeDecision,
  TradeExecution,
} from '../../entities';
import { whereInputOf } from './where-input';
import { tableNameOf } from '../../database/entity-metadata';
import { wherePredicatesOf } from '../../queries/where-predicates';

const CURRENT_STATUS = 'The current status: the latest status change appended, else the status written.';

/** The `where:` argument of each root list, made from its entity (see whereInputOf). */
export const IngestionRunWhere = whereInputOf(IngestionRun, {
  name: 'IngestionRunWhere',
  records: 'ingestion runs',
  descriptions: { status: CURRENT_STATUS },
  predicates: wherePredicatesOf(tableNameOf(IngestionRun)),
});

export const ApiPayloadWhere = whereInputOf(ApiPayload, { name: 'ApiPayloadWhere', records: 'API payloads' });

export const TradeDecisionWhere = whereInputOf(TradeDecision, {
  name: 'TradeDecisionWhere',
  records: 'decisions',
  descriptions: { status: CURRENT_STATUS },
  predicates: wherePredicatesOf(tableNameOf(TradeDecision)),
});

export const TradeExecutionWhere = whereInputOf(TradeExecution, {
  name: 'TradeExecutionWhere',
  records: 'executions',
  descriptions: { status: CURRENT_STATUS },
  predicates: wherePredicatesOf(tableNameOf(TradeExecution)),
});

export const PositionWhere = whereInputOf(Position, {
  name: 'PositionWhere',
  records: 'positions',
  descriptions: {
    status: `${CURRENT_STATUS} A position with fills is also open or closed by them.`,
    quantity: 'The quantity its fills bring it to, else the opening quantity.',
    avgCost: 'The average cost of its fills, else the opening average cost.',
    closedAt: 'When its fills closed it, else the closing time written.',
  },
});

export const AuditEventWhere = whereInputOf(AuditEvent, {
  name: 'AuditEventWhere',
  records: 'audit events',
  // A bigint shown as String: text operators would compare digits as text.
  exclude: ['subjectId'],
});

export const QueryAuditEntryWhere = whereInputOf(QueryAuditEntry, {
  name: 'QueryAuditEntryWhere',
  records: 'query audit entries',
  // The row id is a bigint shown as an ID; the error codes are a list, which no operator family covers yet.
  exclude: ['id', 'errorCodes'],
});
