import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors';
import { logger } from '../logger';

/** Codes whose messages are written for the client and safe to pass through. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one place errors become client-facing: domain errors get their code,
 * GraphQL's own request errors pass through, and anything else (SQL errors,
 * bugs) is logged in full and answered with a bare INTERNAL_SERVER_ERROR so
 * no SQL, stack or internal message reaches a client.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const location = { locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    const argument = 'argument' in original && original.argument ? { argument: original.argument } : {};
    return { message: original.message, ...location, extensions: { code: original.code, ...argument } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return { message: formatted.message, ...location, extensions: { code } };
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error while executing a GraphQL operation');
  return { message: 'Internal server error', ...location, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
