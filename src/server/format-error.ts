import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../base/database-unavailable';
import { DomainError } from '../base/errors';
import { logger } from '../base/logger';
import { withNumbersAsSent } from './lossless-number-message';
import { sqlStateOf } from '../base/sql-state';

/** Codes whose messages are written for the client and safe to pass through. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COSTLY',
  'SUBSCRIPTIONS_NOT_SUPPORTED',
]);

/** Extensions, besides the code, that tell a client how to fix its request. */
const CLIENT_EXTENSIONS = ['cost', 'maxCost'] as const;

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * The one place errors become client-facing: domain errors get their code,
 * GraphQL's own request errors pass through, and anything else (SQL errors,
 * bugs) is logged in full and answered — as DATABASE_UNAVAILABLE when
 * PostgreSQL could not be reached, else with a bare INTERNAL_SERVER_ERROR so
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
    const details = Object.fromEntries(
      CLIENT_EXTENSIONS.filter((name) => formatted.extensions?.[name] !== undefined).map((name) => [
        name,
        formatted.extensions![name],
      ]),
    );
    return { message: withNumbersAsSent(formatted.message), ...location, extensions: { code, ...details } };
  }
  if (sqlStateOf(original) === QUERY_CANCELED) {
    logger.warn({ err: original, path: formatted.path }, 'a statement ran past statement_timeout');
    return {
      message:
        'the database stopped this part of the query: it ran longer than the statement timeout; ' +
        'ask for less (smaller pages, a narrower filter or period)',
      ...location,
      extensions: { code: 'QUERY_TIMEOUT' },
    };
  }
  if (isDatabaseUnavailable(original)) {
    logger.warn({ err: original, path: formatted.path }, 'the database could not be reached for a GraphQL operation');
    return { ...DATABASE_UNAVAILABLE, ...location };
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error while executing a GraphQL operation');
  return { message: 'Internal server error', ...location, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
