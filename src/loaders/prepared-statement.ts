import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

const names = new Map<string, string>();
/**
 * A prepared statement lives as long as its connection, so the number of
 * texts prepared is capped: the loaders' fixed set fits many times over, and
 * read-ahead shapes past the cap (their texts come from clients' selections)
 * run unnamed instead of growing every backend's memory.
 */
const MAX_NAMED_STATEMENTS = 200;

/**
 * Runs a loader's statement as a named prepared statement, so PostgreSQL
 * parses and plans it once per pooled connection instead of on every batch:
 * for the point lookups of a provenance walk, parse and plan were two thirds
 * of the server's time per statement. The loaders' texts are a small fixed set
 * (one per loader and page shape, values always bound), each named by its hash.
 */
export function runPrepared<T>(
  em: EntityManager,
  sql: string,
  bindings: readonly unknown[] | Record<string, unknown>,
): Promise<{ rows: T[] }> {
  let name = names.get(sql);
  if (!name && names.size < MAX_NAMED_STATEMENTS) {
    name = `auditgraph_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    names.set(sql, name);
  }
  const statement = em
    .getConnection()
    .getKnex()
    .raw(sql, bindings as readonly never[]);
  return (name ? statement.options({ name }) : statement) as unknown as Promise<{ rows: T[] }>;
}
