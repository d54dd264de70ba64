import { BadInputError } from '../base/errors';
import { type JsonFilter, jsonFilterConditions, jsonPathsOf } from '../graphql/json-filter';
import type { Operators } from '../graphql/where/operators';
import { all, any, type Condition, FALSE, negation, TRUE } from './condition-logic';
import { notNullAnd, operatorCondition, type WhereColumn } from './where-operators';

export { MAX_IN_VALUES, type WhereColumn } from './where-operators';

/** A `where:` tree: fields of the list's type (operators or a JsonFilter) and the combinators. */
export type WhereTree = {
  and?: WhereTree[] | null;
  or?: WhereTree[] | null;
  not?: WhereTree | null;
  [field: string]: unknown;
};

/**
 * One edge a relation field walks, as SQL: given fresh aliases for the
 * related row (`target`) and for a join table's row (`link`), the `from`
 * list, the condition tying it to the outer row, and the related row's scope.
 */
export type WhereHop = (target: string, link: string) => { from: string; on: string; scope: WhereScope };

/** A relation field: to one node (one hop), or to a list (one hop per edge it walks). */
export type WhereRelation = { one: boolean; hops: readonly WhereHop[] };

/** A field that is a whole condition of its own (an integrity predicate, a full-text match), not a column. */
export type WhereCondition = { condition: (value: unknown, path: string) => Condition | null };

/** What the fields of a tree mean for one entity on one alias: its columns, its relations, its predicates. */
export type WhereScope = {
  column(field: string): WhereColumn | undefined;
  relation(field: string): WhereRelation | undefined;
  predicate?(field: string): WhereCondition | undefined;
};

/**
 * Nesting of and/or/not and relations past this is refused: no investigation needs it, and
 * 50 levels are legal JSON that costs every layer (coercion, this compiler,
 * PostgreSQL's planner) recursion for nothing — an attack, not a question.
 */
export const MAX_WHERE_DEPTH = 10;
/**
 * Values bound in one tree (an `isNull` counts as one), summed over every
 * branch: a 200-branch `or` of single values is fine, 200 branches of
 * 1,000-value lists are not (and PostgreSQL takes at most 65,535 parameters
 * per statement). The query-cost limit prices selections, not arguments, so
 * this is what bounds the statement a where: makes.
 */
export const MAX_WHERE_VALUES = 5000;

/**
 * One SQL condition on the scope's alias for a `where:` tree, values always
 * bound as parameters; null when it narrows nothing. Columns and relations
 * come from `scope`, which knows the entity; field names never reach the SQL.
 * A relation becomes an EXISTS over its edge, correlated to the outer row,
 * its own tree compiled here on a fresh alias — one statement however deep.
 * Also returns the JSON paths to check before the query runs.
 */
export function whereCondition(
  where: WhereTree | null | undefined,
  scope: WhereScope,
  argument: string,
): { condition: Condition | null; jsonPaths: { path: string; argument: string }[] } {
  const compiler = new WhereCompiler();
  const condition = where == null ? TRUE : compiler.tree(where, scope, argument, 1);
  return { condition, jsonPaths: compiler.jsonPaths };
}

class WhereCompiler {
  readonly jsonPaths: { path: string; argument: string }[] = [];
  private values = 0;
  private aliases = 0;

  tree(where: WhereTree, scope: WhereScope, path: string, depth: number): Condition | null {
    if (depth > MAX_WHERE_DEPTH) {
      throw new BadInputError(
        `\`${path}\` nests and/or/not and relations deeper than ${MAX_WHERE_DEPTH} levels; write the condition flatter`,
        path,
      );
    }
    const parts: (Condition | null)[] = [];
    const branches = (trees: WhereTree[], at: string) =>
      trees.map((t, i) => this.tree(t, scope, `${at}.${i}`, depth + 1));
    for (const [field, value] of Object.entries(where)) {
      if (value == null) continue;
      const at = `${path}.${field}`;
      if (field === 'and') parts.push(all(branches(value as WhereTree[], at)));
      else if (field === 'or') parts.push(any(branches(value as WhereTree[], at)));
      else if (field === 'not') parts.push(negation(this.tree(value as WhereTree, scope, at, depth + 1)));
      else {
        const relation = scope.relation(field);
        parts.push(
          relation ? this.relation(relation, value as WhereTree, at, depth) : this.field(scope, field, value, at),
        );
      }
    }
    return all(parts);
  }

  /**
   * A to-one relation: the related row exists and matches. A list: `some`
   * (a related row matches), `none` (none does), `every` (none fails: holds
   * for an empty list). A list over two edges (a payload's executions, as
   * request or as response) is the union of both.
   */
  private relation(relation: WhereRelation, value: WhereTree, path: string, depth: number): Condition | null {
    const [hop] = relation.hops;
    if (relation.one) return this.exists(hop!, value, path, depth, false);
    const parts: (Condition | null)[] = [];
    for (const [quantifier, tree] of Object.entries(value)) {
      if (tree == null) continue;
      const at = `${path}.${quantifier}`;
      const exists = (failing: boolean) =>
        any(relation.hops.map((each) => this.exists(each, tree as WhereTree, at, depth, failing)));
      if (quantifier === 'some') parts.push(exists(false));
      else if (quantifier === 'none') parts.push(negation(exists(false)));
      else if (quantifier === 'every') parts.push(negation(exists(true)));
      else throw new BadInputError(`\`${at}\` is not one of some, every, none`, at);
    }
    return all(parts);
  }

  /** EXISTS a row across `hop` for which `tree` holds (or, `failing`, does not). */
  private exists(hop: WhereHop, tree: WhereTree, path: string, depth: number, failing: boolean): Condition {
    this.aliases += 1;
    const { from, on, scope } = hop(`w${this.aliases}`, `l${this.aliases}`);
    const inner = this.tree(tree, scope, path, depth + 1);
    const condition = failing ? negation(inner) : inner;
    if (condition === FALSE) return FALSE;
    return {
      sql: `exists (select 1 from ${from} where ${on}${condition ? ` and (${condition.sql})` : ''})`,
      params: condition?.params ?? [],
    };
  }

  private field(scope: WhereScope, field: string, value: unknown, path: string): Condition | null {
    const predicate = scope.predicate?.(field);
    if (predicate) {
      this.count(path, 1);
      return predicate.condition(value, path);
    }
    const column = scope.column(field);
    if (!column) throw new BadInputError(`\`${path}\` is not a filterable field`, path);
    if (column.json) {
      this.jsonPaths.push(...jsonPathsOf(value as JsonFilter, path));
      const conditions = jsonFilterConditions(column.sql, value as JsonFilter, path);
      this.count(
        path,
        conditions.reduce((sum, condition) => sum + condition.params.length, 0),
      );
      return all(conditions.map((condition) => notNullAnd(column, condition)));
    }
    return all(
      Object.entries(value as Operators)
        .filter(([, operand]) => operand != null)
        .map(([operator, operand]) => {
          const condition = operatorCondition(column, operator, operand, `${path}.${operator}`, (at, n) =>
            this.count(at, n),
          );
          return operator === 'isNull' ? condition : notNullAnd(column, condition);
        }),
    );
  }

  private count(path: string, values: number): void {
    this.values += values;
    if (this.values > MAX_WHERE_VALUES) {
      throw new BadInputError(
        `\`${path}\`: the where argument binds more than ${MAX_WHERE_VALUES} values in all; narrow it`,
        path,
      );
    }
  }
}
