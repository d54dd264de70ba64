import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { JsonFilter } from '../../graphql/json-filter';
import { Field, InputType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { type IngestionRun, IngestionRunStatus } from '../../entities/ingestion-run.entity';
import { timeWindow } from '../../graphql/arguments';

@InputType({ description: 'Filters for ingestionRuns; all given conditions must hold.' })
export class IngestionRunFilter {
  @Field(() => String, { nullable: true, description: 'e.g. quiverquant' })
  source?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. data_fetch:congress_daily' })
  taskName?: string | null;

  @Field(() => IngestionRunStatus, {
    nullable: true,
    description: 'The current status: the latest status change appended, else the status written.',
  })
  status?: IngestionRunStatus | null;

  @Field(() => DateTime, { nullable: true, description: 'Created at or after this instant.' })
  createdFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true, description: 'Created before this instant.' })
  createdTo?: Instant | null;

  @Field(() => JsonFilter, { nullable: true, description: 'Conditions on the run metadata (GIN-indexed).' })
  metadata?: JsonFilter | null;
}

export function ingestionRunWhere(filter: IngestionRunFilter | null | undefined): FilterQuery<IngestionRun> {
  if (!filter) return {};
  return {
    ...(filter.source != null ? { source: filter.source } : {}),
    ...(filter.taskName != null ? { taskName: filter.taskName } : {}),
    ...timeWindow('createdAt', filter.createdFrom, filter.createdTo, 'created'),
  };
}
