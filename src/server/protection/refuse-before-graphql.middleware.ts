import type { RequestHandler } from 'express';
import { RequestRefusedError } from '../../base/errors';
import { PERSISTED_QUERY_HASH_MISMATCH, persistedQueryHashMismatch } from './persisted-query-hash';
import { sentRequest } from './sent-operations';
import { MAX_VARIABLES_DEPTH, nestsDeeperThan } from '../../json/variables-depth';

/** The answers Apollo can send; it checks `Accept` only after running the operation. */
const ANSWER_TYPES = ['application/json', 'application/graphql-response+json'];

/**
 * Checks of a GraphQL request that must come before Apollo: an `Accept`
 * header that takes no JSON (Apollo would run the operation, then refuse to
 * send it), a GET parameter Apollo cannot read, variables nested past
 * MAX_VARIABLES_DEPTH (Apollo and graphql-js walk them recursively), and a
 * persisted-query hash that does not match its query. GET and POST go
 * through the same checks: Apollo reads a GET's variables and extensions from
 * its query string. A refusal goes to the error handler, which answers and
 * records it.
 */
export const refuseBeforeGraphQL: RequestHandler = (request, _response, next) => {
  if (request.get('accept') !== undefined && !request.accepts(ANSWER_TYPES)) {
    return next(
      new RequestRefusedError(
        'BAD_REQUEST',
        `the Accept header must allow ${ANSWER_TYPES.join(' or ')}: answers are JSON`,
        406,
      ),
    );
  }
  const sent = sentRequest(request);
  if (sent.malformed !== undefined) return next(new RequestRefusedError('BAD_REQUEST', sent.malformed));
  // A batch is refused by Apollo, but only after it looked into each operation.
  for (const operation of sent.operations) {
    if (
      nestsDeeperThan(operation.variables, MAX_VARIABLES_DEPTH) ||
      nestsDeeperThan(operation.extensions, MAX_VARIABLES_DEPTH)
    ) {
      return next(
        new RequestRefusedError(
          'VARIABLES_TOO_DEEP',
          `variables and extensions may nest objects and arrays at most ${MAX_VARIABLES_DEPTH} levels deep`,
        ),
      );
    }
    if (persistedQueryHashMismatch(operation)) {
      return next(
        new RequestRefusedError(
          PERSISTED_QUERY_HASH_MISMATCH,
          'the persisted query hash (extensions.persistedQuery.sha256Hash) is not the SHA-256 of the query sent',
        ),
      );
    }
  }
  next();
};
