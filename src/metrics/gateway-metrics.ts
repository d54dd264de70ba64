import type { Orm } from '../database/orm';
import type { ReadRouter } from '../database/replicas/read-router';
import { useReplicaMetricsSource } from './replica-metrics';
import { useDatabaseUpSource } from './database-up';
import { countOperationStatements } from './operation-sql';
import { usePoolMetricsSource } from './pool-metrics';
import { useRecordGaugeSource } from './record-gauges';
import { useRunbookGaugeSource } from './runbook-gauges';
import { useWeeklyGaugeSource } from './weekly-gauges';
import './dataloader-metrics';
import './query-audit-metrics';

/**
 * Points every gauge `/metrics` reads from the database at the gateway's
 * (one gateway per process), and counts its statements per operation,
 * whichever database — primary or replica — they go to.
 */
export function observeGateway(orm: Orm, settings: { witnessDir: string | undefined }, readRouter?: ReadRouter): void {
  useRunbookGaugeSource(orm);
  useDatabaseUpSource(orm);
  useWeeklyGaugeSource(orm);
  useRecordGaugeSource(orm, settings.witnessDir);
  usePoolMetricsSource(orm);
  countOperationStatements(orm);
  if (!readRouter) return;
  useReplicaMetricsSource(readRouter);
  for (const replica of readRouter.replicas) countOperationStatements(replica.orm);
}
