import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Response } from 'express';
import { type Caller, describeCaller } from '../../auth/caller';
import { logger } from '../../base/logger';
import { traceIdOf } from '../trace/trace-context.middleware';

/** An id a proxy in front may have given the request; anything else is replaced, never echoed. */
const FORWARDED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * One JSON log line per request (pino-http) carrying a request id, which the
 * response returns as `X-Request-Id` and the query audit log records, so an
 * answer, its log lines and its audit entry can be matched. Probes and scrapes
 * are not logged.
 */
export const requestLogging = pinoHttp({
  logger,
  genReqId(request, response) {
    const forwarded = request.headers['x-request-id'];
    const id = typeof forwarded === 'string' && FORWARDED_ID.test(forwarded) ? forwarded : randomUUID();
    response.setHeader('X-Request-Id', id);
    return id;
  },
  autoLogging: { ignore: (request) => request.url === '/metrics' || request.url?.startsWith('/health') === true },
  // Headers stay out of the log: Authorization carries the secret.
  serializers: {
    req: (request: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
      id: request.id,
      method: request.method,
      url: request.url,
      remoteAddress: request.remoteAddress,
    }),
    res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
  },
  // Who asked is known once authentication ran, so it joins the finished line
  // itself; customProps would make two child loggers per request to say the same.
  customSuccessObject: (_request, response, line: object) =>
    withCallerAndRefusal(response as unknown as Response, line),
  customErrorObject: (_request, response, _error, line: object) =>
    withCallerAndRefusal(response as unknown as Response, line),
  customLogLevel: (_request, response, error) =>
    error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
});

/**
 * The trace id, the caller, and the code of a refusal made before GraphQL ran
 * (the only record of one during a database outage).
 */
function withCallerAndRefusal(response: Response, line: object): object {
  const traceId = traceIdOf(response);
  const caller = response.locals?.caller as Caller | undefined;
  const refusal = response.locals?.refusal as string | undefined;
  return {
    ...line,
    ...(traceId ? { traceId } : {}),
    ...(caller ? { caller: describeCaller(caller) } : {}),
    ...(refusal ? { refusal } : {}),
  };
}
