import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../base/errors';
import { stringifyExactJson } from '../json/exact-json';
import type { ApiPayloadInput, RecordResult } from './record-inputs';
import { PAYLOADS, RUNS } from './record-tables';
import { checkCount, checkText } from './input-checks';
import { links, record } from './record-batch';

export function recordApiPayloads(
  em: EntityManager,
  actor: string,
  payloads: ApiPayloadInput[],
): Promise<RecordResult> {
  checkCount(payloads);
  payloads.forEach((payload, index) => {
    for (const field of ['externalId', 'provider', 'endpoint', 'httpMethod'] as const)
      checkText(payload[field], `records[${index}].${field}`);
    if (payload.httpStatus != null && (payload.httpStatus < 100 || payload.httpStatus > 599))
      throw new BadInputError(`records[${index}].httpStatus must be an HTTP status from 100 to 599`, 'httpStatus');
    if (payload.latencyMs != null && payload.latencyMs < 0)
      throw new BadInputError(`records[${index}].latencyMs must be at least 0`, 'latencyMs');
  });
  return record(
    em,
    actor,
    PAYLOADS,
    payloads.map((payload) => payload.externalId),
    (bundle) => {
      bundle.payloads = payloads.map((payload, index) => ({
        source: `records[${index}]`,
        row: {
          external_id: payload.externalId,
          direction: payload.direction,
          provider: payload.provider,
          endpoint: payload.endpoint,
          http_method: payload.httpMethod,
          http_status: payload.httpStatus ?? null,
          latency_ms: payload.latencyMs ?? null,
          payload: payload.payload ?? null,
          payload_bytes: Buffer.byteLength(stringifyExactJson(payload.payload ?? null)),
          correlation_id: payload.correlationId ?? null,
          created_at: payload.createdAt,
        },
        links: links([['ingestion_run_id', RUNS, payload.ingestionRunId]]),
      }));
    },
  );
}
