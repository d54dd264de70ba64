import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import type { IngestionRunInput, RecordResult } from './record-inputs';
import { RUNS } from './record-tables';
import { checkCount, checkText } from './input-checks';
import { record } from './record-batch';

export function recordIngestionRuns(
  em: EntityManager,
  actor: string,
  runs: IngestionRunInput[],
): Promise<RecordResult> {
  checkCount(runs);
  runs.forEach((run, index) => {
    for (const field of ['runId', 'taskName', 'source'] as const) checkText(run[field], `records[${index}].${field}`);
    if (run.recordsFetched != null && run.recordsFetched < 0)
      throw new BadInputError(`records[${index}].recordsFetched must be at least 0`, 'recordsFetched');
  });
  return record(
    em,
    actor,
    RUNS,
    runs.map((run) => run.runId),
    (bundle) => {
      bundle.runs = runs.map((run, index) => ({
        source: `records[${index}]`,
        row: {
          run_id: run.runId,
          task_name: run.taskName,
          source: run.source,
          status: run.status,
          records_fetched: run.recordsFetched ?? 0,
          error_message: run.errorMessage ?? null,
          metadata: run.metadata ?? {},
          started_at: run.startedAt,
          finished_at: run.finishedAt ?? null,
          created_at: run.startedAt,
        },
      }));
    },
  );
}
