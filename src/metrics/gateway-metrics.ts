import type { Orm } from '../database/orm';
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
 * (one gateway per process), and counts its statements per operation.
 */
export function observeGateway(orm: Orm, settings: { witnessDir: string | undefined }): void {
  useRunbookGaugeSource(orm);
  useDatabaseUpSource(orm);
  useWeeklyGaugeSource(orm);
  useRecordGaugeSource(orm, settings.witnessDir);
  usePoolMetricsSource(orm);
  countOperationStatements(orm);
}
