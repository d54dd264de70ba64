import type { NextFunction, Request, Response } from 'express';
import { type TraceContext, traceOf, traceparentOf } from './traceparent';

/**
 * Joins the caller's trace, or starts one when its `traceparent` is missing or
 * malformed, and answers with the gateway's own `traceparent`. The trace id is
 * carried on the request's log line and its query audit entry, beside the
 * request id (X-Request-Id), which stays what it was.
 */
export function traceContext(request: Request, response: Response, next: NextFunction): void {
  const trace = traceOf(request.headers.traceparent);
  response.locals.trace = trace;
  response.setHeader('traceparent', traceparentOf(trace));
  next();
}

/** The trace a request joined (set by {@link traceContext}), if it ran. */
export const traceIdOf = (response: Response): string | undefined =>
  (response.locals?.trace as TraceContext | undefined)?.traceId;
