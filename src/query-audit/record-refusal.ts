import type { Request, Response } from 'express';
import type { Caller } from '../auth/caller';
import { QueryOutcome } from '../entities/query-audit-entry.entity';
import { logger } from '../logger';
import { countRefusedRequest } from '../metrics/graphql-metrics.plugin';
import type { QueryAuditLog } from './query-audit-log';

type RefusalCode = 'UNAUTHENTICATED' | 'RATE_LIMITED';
const OUTCOMES: Record<RefusalCode, QueryOutcome> = { UNAUTHENTICATED: QueryOutcome.unauthenticated, RATE_LIMITED: QueryOutcome.rateLimited };

/**
 * Requests refused before GraphQL ran (no valid key, over the rate limit) are
 * operations asked for too: counted by code and appended to the query audit
 * log. Resolves once recorded, or once the failure to record is logged — a
 * refusal carries no data, so it is answered either way.
 */
export function recordRefusal(log: QueryAuditLog, code: RefusalCode) {
  return (response: Response, caller?: Caller): Promise<void> => {
    const request = response.req as Request;
    countRefusedRequest(code);
    return log
      .append({
        requestId: String(request.id),
        caller,
        clientAddress: request.socket.remoteAddress,
        durationMs: 0,
        outcome: OUTCOMES[code],
        errorCodes: [code],
        startedAt: new Date(),
      })
      .catch((error: unknown) => logger.error({ err: error, requestId: request.id }, 'could not record a refused request in the query audit log'));
  };
}
