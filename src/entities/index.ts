import { ApiKey } from './api-key.entity';
import { ChainVerificationRun } from './chain-verification-run.entity';
import { CheckpointKey } from './checkpoint-key.entity';
import { CurrentStatus } from './current-status.entity';
import { MerkleCheckpoint } from './merkle-checkpoint.entity';
import { MerkleIntegration } from './merkle-integration.entity';
import { MerkleLeaf } from './merkle-leaf.entity';
import { MerkleNode } from './merkle-node.entity';
import { AuditEvent } from './audit-event.entity';
import { ApiPayload } from './api-payload.entity';
import { ArchivedBody } from './archived-body.entity';
import { DecisionInput } from './decision-input.entity';
import { IngestionRun } from './ingestion-run.entity';
import { LegalHold } from './legal-hold.entity';
import { LegalHoldRelease } from './legal-hold-release.entity';
import { PayloadTombstone } from './payload-tombstone.entity';
import { Position } from './position.entity';
import { RateLimitCounter } from './rate-limit-counter.entity';
import { QueryAuditEntry } from './query-audit-entry.entity';
import { QueryDocument } from './query-document.entity';
import { RecordCorrection } from './record-correction.entity';
import { TradeDecision } from './trade-decision.entity';
import { TradeExecution } from './trade-execution.entity';

export {
  ApiKey,
  ApiPayload,
  ArchivedBody,
  AuditEvent,
  ChainVerificationRun,
  CheckpointKey,
  CurrentStatus,
  MerkleCheckpoint,
  MerkleIntegration,
  MerkleLeaf,
  MerkleNode,
  PayloadTombstone,
  DecisionInput,
  IngestionRun,
  LegalHold,
  LegalHoldRelease,
  Position,
  QueryAuditEntry,
  QueryDocument,
  RateLimitCounter,
  RecordCorrection,
  TradeDecision,
  TradeExecution,
};

/** Every entity, listed explicitly so discovery works the same from ts, swc and dist. */
export const entities = [
  IngestionRun,
  ApiPayload,
  TradeDecision,
  DecisionInput,
  Position,
  TradeExecution,
  ApiKey,
  QueryDocument,
  QueryAuditEntry,
  AuditEvent,
  PayloadTombstone,
  ArchivedBody,
  MerkleLeaf,
  MerkleNode,
  MerkleIntegration,
  CurrentStatus,
  MerkleCheckpoint,
  CheckpointKey,
  RecordCorrection,
  ChainVerificationRun,
  LegalHold,
  LegalHoldRelease,
  RateLimitCounter,
];
