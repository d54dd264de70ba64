import type { Request, Response } from 'express';
import type { Caller } from '../auth/caller';
import { QueryOutcome } from '../entities/query-audit-entry.entity';
import { queryHashOf } from './protection/persisted-query-hash';
import { type SentOperation, sentRequest } from './protection/sent-operations';
import { logger } from '../base/logger';
import { countRefusedRequest } from './plugins/graphql-metrics.plugin';
import type { QueryAuditLog } from '../query-audit/query-audit-log';
import { traceIdOf } from './trace/trace-context.middleware';

/** Refusals with an outcome of their own; every other refusal before GraphQL is `rejected`. */
const OUTCOMES: Record<string, QueryOutcome> = {
  UNAUTHENTICATED: QueryOutcome.unauthenticated,
  RATE_LIMITED: QueryOutcome.rateLimited,
};

/**
 * Requests refused before GraphQL ran (no valid key, over the rate limit, a
 * body or query string that is malformed or nested too deep) are operations
 * asked for too: counted by code and appended to the query audit log, with
 * the document and variables when they were read (from a POST's body or a
 * GET's query string alike; not for a batch). Resolves once recorded, or once the
 * failure to record is logged — a refusal carries no data, so it is answered
 * either way.
 */
export function recordRefusal(log: QueryAuditLog) {
  return (response: Response, code: string, caller?: Caller): Promise<void> => {
    const request = response.req as Request;
    const sent = sentRequest(request);
    const body: SentOperation | undefined = sent.batch ? undefined : sent.operations[0];
    const document = typeof body?.query === 'string' ? body.query : null;
    countRefusedRequest(code);
    return log
      .append({
        requestId: String(request.id),
        traceId: traceIdOf(response),
        caller,
        clientAddress: request.socket.remoteAddress,
        operationName: typeof body?.operationName === 'string' ? body.operationName : null,
        document,
        queryHash: document === null ? null : queryHashOf(document),
        variables: body?.variables,
        durationMs: 0,
        outcome: OUTCOMES[code] ?? QueryOutcome.rejected,
        errorCodes: [code],
        startedAt: new Date(),
      })
      .catch((error: unknown) =>
        logger.error(
          { err: error, requestId: request.id },
          'could not record a refused request in the query audit log',
        ),
      );
  };
}
