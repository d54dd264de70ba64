import { createHash } from 'node:crypto';

/** What the APQ convention calls a hash that does not match its query, answered with HTTP 400. */
export const PERSISTED_QUERY_HASH_MISMATCH = 'PERSISTED_QUERY_HASH_MISMATCH';

/** A document's hash as Apollo and the APQ convention compute it (and the query audit log keys documents by). */
export function queryHashOf(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/**
 * Whether a request sends both a query and an automatic-persisted-query hash
 * that is not the query's SHA-256. Apollo refuses it too, but without a code
 * (its error would be masked as INTERNAL_SERVER_ERROR).
 */
export function persistedQueryHashMismatch(body: { query?: unknown; extensions?: unknown }): boolean {
  const sent = (body.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
    ?.sha256Hash;
  if (typeof body.query !== 'string' || typeof sent !== 'string') return false;
  return queryHashOf(body.query) !== sent;
}
