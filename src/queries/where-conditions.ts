import { BadInputError } from '../base/errors';
import { type JsonFilter, jsonFilterConditions, jsonPathsOf } from '../graphql/json-filter';
import type { Operators } from '../graphql/where/operators';

/** A `where:` tree: fields of the list's type (operators or a JsonFilter) and the combinators. */
export type WhereTree = {
  and?: WhereTree[] | null;
  or?: WhereTree[] | null;
  not?: WhereTree | null;
  [field: string]: unknown;
};

/** Where a field's value is read: a column of `n`, or a derivation over it (a current status). */
export type WhereColumn = {
  sql: string;
  nullable: boolean;
  json: boolean;
  /**
   * A test that the value is one of `values` (non-empty), for a derivation
   * that has one cheaper than comparing `sql` row by row; `eq`, `ne`, `in`
   * and `notIn` use it.
   */
  oneOf?: (values: readonly unknown[]) => Condition;
};

type Condition = { sql: string; params: unknown[] };

/**
 * Nesting of and/or/not past this is refused: no investigation needs it, and
 * 50 levels are legal JSON that costs every layer (coercion, this compiler,
 * PostgreSQL's planner) recursion for nothing — an attack, not a question.
 */
export const MAX_WHERE_DEPTH = 10;
/** Values of one `in`/`notIn`; a longer list is an export, not a filter. */
export const MAX_IN_VALUES = 1000;
/**
 * Values bound in one tree (an `isNull` counts as one), summed over every
 * branch: a 200-branch `or` of single values is fine, 200 branches of
 * 1,000-value lists are not (and PostgreSQL takes at most 65,535 parameters
 * per statement). The query-cost limit prices selections, not arguments, so
 * this is what bounds the statement a where: makes.
 */
export const MAX_WHERE_VALUES = 5000;

const TRUE = null;

/**
 * One SQL condition on alias `n` for a `where:` tree, values always bound as
 * parameters; null when it narrows nothing. Columns come from `columnOf`,
 * which knows the entity; field names never reach the SQL. Also returns the
 * JSON paths to check before the query runs.
 */
export function whereCondition(
  where: WhereTree | null | undefined,
  columnOf: (field: string) => WhereColumn | undefined,
  argument: string,
): { condition: Condition | null; jsonPaths: { path: string; argument: string }[] } {
  const compiler = new WhereCompiler(columnOf);
  const condition = where == null ? TRUE : compiler.tree(where, argument, 1);
  return { condition, jsonPaths: compiler.jsonPaths };
}

class WhereCompiler {
  readonly jsonPaths: { path: string; argument: string }[] = [];
  private values = 0;

  constructor(private readonly columnOf: (field: string) => WhereColumn | undefined) {}

  tree(where: WhereTree, path: string, depth: number): Condition | null {
    if (depth > MAX_WHERE_DEPTH) {
      throw new BadInputError(
        `\`${path}\` nests and/or/not deeper than ${MAX_WHERE_DEPTH} levels; write the condition flatter`,
        path,
      );
    }
    const parts: (Condition | null)[] = [];
    for (const [field, value] of Object.entries(where)) {
      if (value == null) continue;
      const at = `${path}.${field}`;
      if (field === 'and') parts.push(all((value as WhereTree[]).map((t, i) => this.tree(t, `${at}.${i}`, depth + 1))));
      else if (field === 'or')
        parts.push(any((value as WhereTree[]).map((t, i) => this.tree(t, `${at}.${i}`, depth + 1))));
      else if (field === 'not') parts.push(negation(this.tree(value as WhereTree, at, depth + 1)));
      else parts.push(this.field(field, value, at));
    }
    return all(parts);
  }

  private field(field: string, value: unknown, path: string): Condition | null {
    const column = this.columnOf(field);
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
          const condition = this.operator(column, operator, operand, `${path}.${operator}`);
          return operator === 'isNull' ? condition : notNullAnd(column, condition);
        }),
    );
  }

  private operator(column: WhereColumn, operator: string, operand: unknown, path: string): Condition | null {
    const c = column.sql;
    if (column.oneOf && (operator === 'eq' || operator === 'ne')) {
      this.count(path, 1);
      const test = column.oneOf([operand]);
      return operator === 'eq' ? test : negation(test);
    }
    switch (operator) {
      case 'eq':
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        this.count(path, 1);
        return { sql: `${c} ${COMPARISONS[operator]} ?`, params: [operand] };
      case 'in':
      case 'notIn': {
        const values = operand as unknown[];
        if (values.length > MAX_IN_VALUES) {
          throw new BadInputError(
            `\`${path}\` holds ${values.length} values; at most ${MAX_IN_VALUES} are allowed`,
            path,
          );
        }
        this.count(path, values.length);
        if (values.length === 0) return operator === 'in' ? FALSE : TRUE;
        if (column.oneOf) {
          const test = column.oneOf(values);
          return operator === 'in' ? test : negation(test);
        }
        const placeholders = values.map(() => '?').join(', ');
        return { sql: `${c} ${operator === 'in' ? 'in' : 'not in'} (${placeholders})`, params: values };
      }
      case 'startsWith':
        this.count(path, 1);
        return { sql: `${c} like ?`, params: [`${literalPattern(operand as string)}%`] };
      case 'contains':
        this.count(path, 1);
        return { sql: `${c} like ?`, params: [`%${literalPattern(operand as string)}%`] };
      case 'ilike':
        this.count(path, 1);
        // PostgreSQL refuses a pattern ending in its escape character; say so before it does.
        if (/(^|[^\\])(\\\\)*\\$/.test(operand as string))
          throw new BadInputError(`\`${path}\` ends with an unescaped \\; write \\\\ for a backslash`, path);
        return { sql: `${c} ilike ?`, params: [operand] };
      case 'isNull':
        this.count(path, 1);
        return { sql: `${c} is ${operand ? '' : 'not '}null`, params: [] };
      default:
        throw new BadInputError(`\`${path}\` is not an operator`, path);
    }
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

/**
 * Two-valued logic: a comparison with a null value is false, not unknown, so
 * `not` of it holds — what an investigator reading `not: {symbol: {eq: …}}` means.
 */
function notNullAnd(column: WhereColumn, condition: Condition | null): Condition | null {
  if (!column.nullable || condition == null || condition === FALSE) return condition;
  return { sql: `(${column.sql} is not null and ${condition.sql})`, params: condition.params };
}

const COMPARISONS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
const FALSE: Condition = { sql: 'false', params: [] };

/** `%`, `_` and `\` as themselves in a LIKE pattern (backslash is PostgreSQL's default escape). */
const literalPattern = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** The conjunction; null (no condition) when every part is null. */
function all(parts: readonly (Condition | null)[]): Condition | null {
  const given = parts.filter((part): part is Condition => part != null);
  if (given.length === 0) return TRUE;
  if (given.length === 1) return given[0]!;
  return { sql: given.map(({ sql }) => `(${sql})`).join(' and '), params: given.flatMap(({ params }) => params) };
}

/** The disjunction: an empty `or` matches nothing, a branch without a condition matches everything. */
function any(parts: readonly (Condition | null)[]): Condition | null {
  if (parts.length === 0) return FALSE;
  if (parts.some((part) => part == null)) return TRUE;
  const given = parts as Condition[];
  if (given.length === 1) return given[0]!;
  return { sql: given.map(({ sql }) => `(${sql})`).join(' or '), params: given.flatMap(({ params }) => params) };
}

function negation(part: Condition | null): Condition {
  return part == null ? FALSE : { sql: `not (${part.sql})`, params: part.params };
}
