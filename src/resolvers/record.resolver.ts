import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { actorOf } from '../auth/caller';
import type { Context } from './context';
import {
  ApiPayloadInput,
  AuditEventInput,
  IngestionRunInput,
  PositionInput,
  RecordResult,
  StatusChangeInput,
  TradeDecisionInput,
  TradeExecutionInput,
} from '../record/record-inputs';
import { recordApiPayloads } from '../record/record-api-payloads';
import { recordDecisions } from '../record/record-decisions';
import { recordEvents } from '../record/record-events';
import { recordExecutions } from '../record/record-executions';
import { recordIngestionRuns } from '../record/record-ingestion-runs';
import { recordPositions } from '../record/record-positions';
import { recordStatusChanges } from '../record/record-status-changes';

const BATCH =
  'Up to 1000 records, written in one transaction: all or none. ' +
  'A record already recorded with the same content is left as it is; with different content it is a CONFLICT.';

/** The write path for producers: each mutation appends records, linked by the producers' own ids. */
@Authorized(Permission.writeRecords)
@Resolver()
export class RecordResolver {
  @Mutation(() => RecordResult, { description: `Record ingestion runs, keyed by runId. ${BATCH}` })
  recordIngestionRun(
    @Arg('records', () => [IngestionRunInput]) records: IngestionRunInput[],
    @Ctx() { em, caller }: Context,
  ) {
    return recordIngestionRuns(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, { description: `Record API payloads, keyed by externalId. ${BATCH}` })
  recordApiPayload(
    @Arg('records', () => [ApiPayloadInput]) records: ApiPayloadInput[],
    @Ctx() { em, caller }: Context,
  ) {
    return recordApiPayloads(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, {
    description: `Record trade decisions and the payloads that fed them, keyed by decisionId. ${BATCH}`,
  })
  recordDecision(
    @Arg('records', () => [TradeDecisionInput]) records: TradeDecisionInput[],
    @Ctx() { em, caller }: Context,
  ) {
    return recordDecisions(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, { description: `Record executions, keyed by executionId. ${BATCH}` })
  recordExecution(
    @Arg('records', () => [TradeExecutionInput]) records: TradeExecutionInput[],
    @Ctx() { em, caller }: Context,
  ) {
    return recordExecutions(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, { description: `Record positions, keyed by externalId. ${BATCH}` })
  recordPosition(@Arg('records', () => [PositionInput]) records: PositionInput[], @Ctx() { em, caller }: Context) {
    return recordPositions(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, {
    description:
      'Append lifecycle changes (a decision executed, an execution filled…) as status_changed events; ' +
      `the records never change. ${BATCH}`,
  })
  recordStatusChange(
    @Arg('records', () => [StatusChangeInput]) records: StatusChangeInput[],
    @Ctx() { em, caller }: Context,
  ) {
    return recordStatusChanges(em, actorOf(caller), records);
  }

  @Mutation(() => RecordResult, {
    description: `Append events to the audit event log (RISK checks, NAV snapshots, SYSTEM notices…). ${BATCH}`,
  })
  recordEvent(@Arg('records', () => [AuditEventInput]) records: AuditEventInput[], @Ctx() { em, caller }: Context) {
    return recordEvents(em, actorOf(caller), records);
  }
}
