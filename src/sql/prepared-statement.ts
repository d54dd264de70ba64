import type { EntityManager } from '@mikro-orm/postgresql';
import { cachedStatement, type Statement } from './statement-cache';

/**
 * Runs a loader's statement as a named prepared statement, so PostgreSQL
 * parses and plans it once per pooled connection instead of on every batch:
 * for the point lookups of a provenance walk, parse and plan were two thirds
 * of the server's time per statement. The loaders' texts are a small fixed set
 * (one per loader and page shape, values always bound), each named by its
 * hash; a text is its own cache key, a read-ahead statement comes cached under
 * its plan's (see statement-cache).
 */
export function runPrepared<T>(
  em: EntityManager,
  statement: string | Statement,
  bindings: readonly unknown[] | Record<string, unknown>,
): Promise<{ rows: T[] }> {
  const { sql, name } = typeof statement === 'string' ? cachedStatement(statement, () => statement) : statement;
  const query = em
    .getConnection()
    .getKnex()
    .raw(sql, bindings as readonly never[]);
  return (name ? query.options({ name }) : query) as unknown as Promise<{ rows: T[] }>;
}
