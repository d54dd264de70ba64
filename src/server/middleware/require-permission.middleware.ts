import type { RequestHandler } from 'express';
import type { ApiKeyVerifier } from '../../auth/api-key-verifier';
import type { Permission } from '../../auth/roles';
import { logger } from '../../base/logger';
import { authenticate, callerOf } from './authenticate.middleware';

/**
 * Express middleware for the operator's HTTP routes (not GraphQL): a key
 * whose role grants `permission`, whatever ANONYMOUS_READ says — else 401
 * without a valid key, 403 with a key that may not. Refusals are logged, not
 * put in the query audit log, which records GraphQL operations.
 */
export function requirePermission(permission: Permission, verifier: ApiKeyVerifier): RequestHandler[] {
  return [
    authenticate({
      verifier,
      anonymousRead: false,
      onRefused: async (response) => logger.warn({ route: response.req.path }, 'refused: no valid API key'),
    }),
    (_request, response, next) => {
      const caller = callerOf(response);
      if (caller.grants.has(permission)) {
        next();
        return;
      }
      response.status(403).json({
        errors: [
          { message: `this route needs a key whose role may ${permission} (admin)`, extensions: { code: 'FORBIDDEN' } },
        ],
      });
    },
  ];
}
