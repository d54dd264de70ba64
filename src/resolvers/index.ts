import { AggregateResolver } from './aggregate.resolver';
import { ApiPayloadResolver } from './api-payload.resolver';
import { AttestationResolver } from './attestation.resolver';
import { AuditEventResolver } from './audit-event.resolver';
import { ChainResolver } from './chain.resolver';
import { CompliancePackageResolver } from './compliance-package.resolver';
import { RecordResolver } from './record.resolver';
import { CorrectionResolver, CORRECTIONS_RESOLVERS, RecordCorrectionResolver } from './correction.resolver';
import { CorrelationResolver } from './correlation.resolver';
import { IngestionRunResolver } from './ingestion-run.resolver';
import { IntegrityResolver } from './integrity.resolver';
import { LEAF_FIELD_RESOLVERS } from './leaf-fields.resolver';
import { ApiPayloadHoldResolver, LegalHoldResolver } from './legal-hold.resolver';
import { LineageResolver } from './lineage.resolver';
import { NavHistoryResolver } from './nav-history.resolver';
import { NodeResolver } from './node.resolver';
import { PositionResolver } from './position.resolver';
import { ProofResolver } from './proof.resolver';
import { QueryAuditResolver } from './query-audit.resolver';
import { ReportResolver } from './report.resolver';
import { SearchResolver } from './search.resolver';
import { TradeDecisionResolver } from './trade-decision.resolver';
import { TradeExecutionResolver } from './trade-execution.resolver';

export const resolvers = [
  IngestionRunResolver,
  ApiPayloadResolver,
  TradeDecisionResolver,
  TradeExecutionResolver,
  PositionResolver,
  CorrelationResolver,
  NodeResolver,
  LineageResolver,
  SearchResolver,
  ReportResolver,
  IntegrityResolver,
  CompliancePackageResolver,
  QueryAuditResolver,
  AuditEventResolver,
  NavHistoryResolver,
  AggregateResolver,
  ChainResolver,
  RecordResolver,
  AttestationResolver,
  CorrectionResolver,
  RecordCorrectionResolver,
  ...CORRECTIONS_RESOLVERS,
  ProofResolver,
  ...LEAF_FIELD_RESOLVERS,
  LegalHoldResolver,
  ApiPayloadHoldResolver,
] as const;
