import type { EntityManager, EntityName } from '@mikro-orm/postgresql';
import { assertValidJsonPaths } from '../graphql/json-filter';
import { whereCondition, type WhereTree } from '../queries/where-conditions';
import { whereScopeOf } from '../queries/where-scope';

/**
 * A node's own list's `where:`, compiled once per request shape: the
 * condition on alias `n` (the list's rows) with its values as named bindings
 * `:w0, :w1, …` (the child-page statements bind the parents by name, and one
 * statement cannot mix named and positional bindings), and the tree as text,
 * which keys the batch: parents asked with the same where share a statement.
 */
export type ChildWhere = { sql: string | null; bindings: Record<string, unknown>; key: string };

export const NO_WHERE: ChildWhere = { sql: null, bindings: {}, key: '' };

/**
 * Compiles `tree` with the root lists' own compiler and scope, so
 * a field filters a node's list exactly as it filters the root list; refuses
 * what the root list refuses (BAD_USER_INPUT naming `where.…`). The JSON
 * paths it holds are checked by PostgreSQL once per distinct path and
 * request, before any page is read.
 */
export function childWhereOf<T>(
  em: EntityManager,
  entity: EntityName<T>,
  tree: WhereTree | null | undefined,
  checkedPaths: Map<string, Promise<void>>,
): { where: ChildWhere; checked: Promise<void> } {
  if (tree == null) return { where: NO_WHERE, checked: Promise.resolve() };
  const { condition, jsonPaths } = whereCondition(tree, whereScopeOf(em, entity, 'n'), 'where');
  const execute = (sql: string, params: unknown[]) => em.getConnection().execute(sql, params);
  const checks = jsonPaths.map((path) => {
    const key = `${path.argument}|${path.path}`;
    let check = checkedPaths.get(key);
    if (!check) checkedPaths.set(key, (check = assertValidJsonPaths(execute, [path])));
    return check;
  });
  const key = JSON.stringify(tree);
  if (!condition) return { where: { ...NO_WHERE, key }, checked: Promise.all(checks).then(() => undefined) };
  const bindings: Record<string, unknown> = {};
  let index = 0;
  // `\?` is a literal question mark (a jsonb operator), every bare `?` a value.
  const sql = condition.sql.replace(/\\\?|\?/g, (match) => {
    if (match !== '?') return match;
    bindings[`w${index}`] = condition.params[index];
    return `:w${index++}`;
  });
  return { where: { sql, bindings, key }, checked: Promise.all(checks).then(() => undefined) };
}

/**
 * The list's rows of every parent in `parents`, under `where` (a condition
 * compiled on alias `n`, as a root list's is; PostgreSQL flattens the sub-select).
 */
export const rowsSql = (
  list: { rows: (parents: string) => string },
  parents: string,
  where: string | null | undefined,
) => (where ? `(select * from (${list.rows(parents)}) n where ${where})` : `(${list.rows(parents)})`);
