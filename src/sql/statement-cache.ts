import { createHash } from 'node:crypto';

/** A statement's text and the name it is prepared under (null: run unnamed). */
export type Statement = { sql: string; name: string | null };

const statements = new Map<string, Statement>();
/**
 * A prepared statement lives as long as its connection, so the number of
 * texts named is capped: the loaders' fixed set fits many times over, and
 * read-ahead shapes past the cap (their texts come from clients' selections)
 * are built each time and run unnamed instead of growing every backend's
 * memory. Nothing is evicted: a name once given may be prepared on any
 * pooled connection.
 */
export const MAX_STATEMENTS = 200;

/** The statement cached under `key`, built by `build` and named by its hash the first time while there is room. */
export function cachedStatement(key: string, build: () => string): Statement {
  const known = statements.get(key);
  if (known) return known;
  const sql = build();
  if (statements.size >= MAX_STATEMENTS) return { sql, name: null };
  const statement = { sql, name: `auditgraph_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}` };
  statements.set(key, statement);
  return statement;
}
