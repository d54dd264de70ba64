import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { callerOf } from './authenticate.middleware';

/**
 * At most `perMinute` requests a minute per API key, or per client address for
 * anonymous callers; beyond it 429 RATE_LIMITED with `Retry-After`. Counts are
 * per gateway process (express-rate-limit's memory store).
 */
export function rateLimitPerCaller(
  perMinute: number,
  onLimited: (response: Response) => Promise<void>,
): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (request, response) => {
      const caller = callerOf(response);
      return caller.kind === 'key' ? `key:${caller.keyId}` : `address:${ipKeyGenerator(request.ip ?? 'unknown')}`;
    },
    handler: (_request, response, _next, options) => {
      const answer = () =>
        response.status(options.statusCode).json({
          errors: [
            {
              message: `rate limit exceeded: at most ${perMinute} requests a minute for this caller`,
              extensions: { code: 'RATE_LIMITED' },
            },
          ],
        });
      onLimited(response).then(answer, answer);
    },
  });
}
