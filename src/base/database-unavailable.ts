import type { GraphQLFormattedError } from 'graphql';
import { sqlStateOf } from './sql-state';

/**
 * Seconds a client is told to wait (`Retry-After`) before trying again during an outage: about a readiness
 * probe's period.
 */
export const RETRY_AFTER_SECONDS = 5;

/** The answer to any request that needs PostgreSQL while it cannot be reached: HTTP 503, with `Retry-After`. */
export const DATABASE_UNAVAILABLE: GraphQLFormattedError = {
  message: 'the database cannot be reached right now: nothing was read or recorded; try again shortly',
  extensions: { code: 'DATABASE_UNAVAILABLE' },
};

/** Socket errors of a server that is down, unreachable or dropping connections. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * SQLSTATEs of a server that will not serve this connection: class 08
 * (connection exception), shutdown and start-up (57P01–57P03), too many
 * connections (53300). A database not accepting connections (`ALLOW_CONNECTIONS
 * false`, 55000, a class shared with other refusals) is told by its message.
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

/** What pg and the pools say, without a code, when a connection is lost or cannot be had. */
const LOST_CONNECTION = new RegExp(
  [
    'Connection terminated',
    'Connection ended',
    'timeout exceeded when trying to connect',
    'Timeout acquiring a connection',
    'not queryable',
    'not currently accepting connections',
  ].join('|'),
  'i',
);

/**
 * Whether `error` means PostgreSQL cannot be reached (as opposed to a query
 * it refused): the request may succeed unchanged once it is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state !== undefined && UNAVAILABLE_STATES.test(state)) return true;
  for (
    let current = error as
        { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; thrownValue?: unknown } | undefined,
      depth = 0;
    current && depth < 4;
    depth++
  ) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return true;
    if (typeof current.message === 'string' && LOST_CONNECTION.test(current.message)) return true;
    // A failed connect to a host with several addresses is an AggregateError of each attempt; graphql-js
    // wraps a thrown value that is not an Error of its own realm (NonErrorThrown, with thrownValue): under
    // jest's VM context, a socket error from Node's core is one.
    current = (
      Array.isArray(current.errors) ? current.errors[0] : (current.cause ?? current.thrownValue)
    ) as typeof current;
  }
  return false;
}
