import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import type { Caller } from '../../auth/caller';

const answering = new AsyncLocalStorage<Response>();

/**
 * Express middleware, just before Apollo's: the response being answered,
 * for the one Apollo hook that is not told which request it concerns.
 */
export const rememberResponseForAudit: RequestHandler = (_request, response, next) => answering.run(response, next);

/**
 * Requests Apollo refuses before its request pipeline (and so before the
 * query audit plugin) runs — a batch, variables that are not an object, a
 * request without CSRF protection's headers — are recorded like every other
 * refusal, before the 400 leaves.
 */
export function recordInvalidRequestsPlugin<T extends object>(
  record: (response: Response, code: string, caller?: Caller) => Promise<void>,
): ApolloServerPlugin<T> {
  return {
    async invalidRequestWasReceived({ error }) {
      const response = answering.getStore();
      if (response)
        await record(
          response,
          String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'BAD_REQUEST'),
          response.locals.caller as Caller | undefined,
        );
    },
  };
}
