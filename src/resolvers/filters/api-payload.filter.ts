import { DateTime } from '../../graphql/date-time.scalar';
import type { Instant } from '../../time/instant';
import { JsonFilter } from '../../graphql/json-filter';
import { Field, ID, InputType, Int } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { type ApiPayload, PayloadDirection } from '../../entities/api-payload.entity';
import { timeWindow } from '../../graphql/arguments';
import { fromGlobalId } from '../../lineage/global-id';
import { BadInputError } from '../../base/errors';

@InputType({ description: 'Filters for apiPayloads; all given conditions must hold.' })
export class ApiPayloadFilter {
  @Field(() => String, { nullable: true, description: 'e.g. alpaca' })
  provider?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact endpoint, e.g. /v2/orders' })
  endpoint?: string | null;

  @Field(() => PayloadDirection, { nullable: true })
  direction?: PayloadDirection | null;

  @Field(() => Int, { nullable: true, description: 'Responses with at least this HTTP status (400 for errors).' })
  minHttpStatus?: number | null;

  @Field(() => ID, { nullable: true, description: 'Payloads fetched by this ingestion run.' })
  ingestionRunId?: string | null;

  @Field(() => DateTime, { nullable: true })
  createdFrom?: Instant | null;

  @Field(() => DateTime, { nullable: true })
  createdTo?: Instant | null;

  @Field(() => JsonFilter, { nullable: true, description: 'Conditions on the payload body (GIN-indexed).' })
  payload?: JsonFilter | null;
}

export function apiPayloadWhere(filter: ApiPayloadFilter | null | undefined): FilterQuery<ApiPayload> {
  if (!filter) return {};
  if (filter.minHttpStatus != null && (filter.minHttpStatus < 100 || filter.minHttpStatus > 599)) {
    throw new BadInputError('`minHttpStatus` must be an HTTP status between 100 and 599', 'minHttpStatus');
  }
  return {
    ...(filter.provider != null ? { provider: filter.provider } : {}),
    ...(filter.endpoint != null ? { endpoint: filter.endpoint } : {}),
    ...(filter.direction != null ? { direction: filter.direction } : {}),
    ...(filter.minHttpStatus != null ? { httpStatus: { $gte: filter.minHttpStatus } } : {}),
    ...(filter.ingestionRunId != null
      ? { ingestionRun: fromGlobalId(filter.ingestionRunId, 'filter.ingestionRunId', 'IngestionRun').databaseId }
      : {}),
    ...timeWindow('createdAt', filter.createdFrom, filter.createdTo, 'created'),
  };
}
