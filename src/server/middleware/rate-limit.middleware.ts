import type { RequestHandler, Response } from 'express';
import { callerOf } from './authenticate.middleware';
import { type CallerRateLimiter, callerKey, RATE_LIMIT_WINDOW_S } from '../rate-limit/caller-rate-limiter';

/**
 * The limiter on Express's request path: past the caller's limit, 429
 * RATE_LIMITED with `Retry-After`; every answer carries the IETF draft's
 * `RateLimit-Policy` and `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers-08).
 */
export function rateLimitPerCaller(
  limiter: CallerRateLimiter,
  onLimited: (response: Response) => Promise<void>,
): RequestHandler {
  return (request, response, next) => {
    const caller = callerOf(response);
    const key = callerKey(caller.kind === 'key' ? { keyId: caller.keyId } : { address: request.ip ?? 'unknown' });
    limiter.consume(key).then(({ allowed, limit, remaining, resetS }) => {
      const policy = `"${limit}-in-1min"`;
      response.setHeader('RateLimit-Policy', `${policy}; q=${limit}; w=${RATE_LIMIT_WINDOW_S}`);
      response.setHeader('RateLimit', `${policy}; r=${remaining}; t=${resetS}`);
      if (allowed) {
        next();
        return;
      }
      response.setHeader('Retry-After', String(resetS));
      const answer = () =>
        response.status(429).json({
          errors: [
            {
              message: `rate limit exceeded: at most ${limit} requests a minute for this caller`,
              extensions: { code: 'RATE_LIMITED' },
            },
          ],
        });
      onLimited(response).then(answer, answer);
    }, next);
  };
}
