import type { ErrorRequestHandler, Response } from 'express';
import type { Caller } from '../auth/caller';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../base/database-unavailable';
import { RequestRefusedError } from '../base/errors';
import { logger } from '../base/logger';

type Answer = { status: number; code: string; message: string };

/** What body-parser's errors mean to a client, by their `type`. */
const bodyErrors = (maxBodyBytes: number): Record<string, [number, string]> => ({
  'entity.parse.failed': [400, 'the request body is not valid JSON'],
  'entity.too.large': [413, `the request body is larger than ${maxBodyBytes.toLocaleString('en')} bytes`],
  'encoding.unsupported': [415, 'the request body encoding is not supported'],
  'charset.unsupported': [415, 'the request body charset is not supported'],
});

/** A body-parser error without a known type that is still the client's (a gzip body that does not inflate, say). */
const UNREADABLE_BODY =
  'the request body could not be read: it is malformed, or not encoded as its Content-Encoding says';

function answerFor(error: { type?: string; status?: number; expose?: boolean }, maxBodyBytes: number): Answer {
  if (error instanceof RequestRefusedError) return { status: error.status, code: error.code, message: error.message };
  const known = bodyErrors(maxBodyBytes)[error.type ?? ''];
  if (known) return { status: known[0], code: 'BAD_REQUEST', message: known[1] };
  // http-errors marks client errors `expose`; their own message may quote internals, ours does not.
  if (error.expose && typeof error.status === 'number' && error.status >= 400 && error.status < 500)
    return { status: 400, code: 'BAD_REQUEST', message: UNREADABLE_BODY };
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
}

/**
 * Errors raised before GraphQL runs (a body that is not JSON, too large or
 * too deep, an API key that could not be checked) answered in GraphQL's
 * error shape, never with Express's HTML stack page: a client's mistake with
 * 4xx and a code, PostgreSQL out of reach with 503 DATABASE_UNAVAILABLE and
 * `Retry-After`. Each refusal is recorded (`onRefused`) — except during an
 * outage, which the access log shows (the line's `refusal`).
 */
export const answerHttpErrorsAsGraphQL =
  (
    maxBodyBytes: number,
    onRefused: (response: Response, code: string, caller?: Caller) => Promise<void>,
  ): ErrorRequestHandler =>
  (error: { type?: string; status?: number; expose?: boolean }, request, response, _next) => {
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, requestId: request.id }, 'the database could not be reached before GraphQL ran');
      response.locals.refusal = DATABASE_UNAVAILABLE.extensions!.code;
      response
        .status(503)
        .set('Retry-After', String(RETRY_AFTER_SECONDS))
        .json({ errors: [DATABASE_UNAVAILABLE] });
      return;
    }
    const { status, code, message } = answerFor(error, maxBodyBytes);
    if (status === 500) logger.error({ err: error, requestId: request.id }, 'HTTP request failed before GraphQL');
    response.locals.refusal = code;
    const answer = () => response.status(status).json({ errors: [{ message, extensions: { code } }] });
    onRefused(response, code, response.locals.caller as Caller | undefined).then(answer, answer);
  };
