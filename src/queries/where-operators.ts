import { BadInputError } from '../base/errors';
import { type Condition, FALSE, negation, TRUE } from './condition-logic';

/** Where a field's value is read: a column of the row's alias, or a derivation over it (a current status). */
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

/** Values of one `in`/`notIn`; a longer list is an export, not a filter. */
export const MAX_IN_VALUES = 1000;

/**
 * One operator of a field's operator input (`eq`, `in`, `startsWith`, …) as a
 * condition on the field's column, its operand bound; `count` is told how
 * many values it binds, for the where tree's limit.
 */
export function operatorCondition(
  column: WhereColumn,
  operator: string,
  operand: unknown,
  path: string,
  count: (path: string, values: number) => void,
): Condition | null {
  const c = column.sql;
  if (column.oneOf && (operator === 'eq' || operator === 'ne')) {
    count(path, 1);
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
      count(path, 1);
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
      count(path, values.length);
      if (values.length === 0) return operator === 'in' ? FALSE : TRUE;
      if (column.oneOf) {
        const test = column.oneOf(values);
        return operator === 'in' ? test : negation(test);
      }
      const placeholders = values.map(() => '?').join(', ');
      return { sql: `${c} ${operator === 'in' ? 'in' : 'not in'} (${placeholders})`, params: values };
    }
    case 'startsWith':
      count(path, 1);
      return { sql: `${c} like ?`, params: [`${literalPattern(operand as string)}%`] };
    case 'contains':
      count(path, 1);
      return { sql: `${c} like ?`, params: [`%${literalPattern(operand as string)}%`] };
    case 'ilike':
      count(path, 1);
      // PostgreSQL refuses a pattern ending in its escape character; say so before it does.
      if (/(^|[^\\])(\\\\)*\\$/.test(operand as string))
        throw new BadInputError(`\`${path}\` ends with an unescaped \\; write \\\\ for a backslash`, path);
      return { sql: `${c} ilike ?`, params: [operand] };
    case 'isNull':
      count(path, 1);
      return { sql: `${c} is ${operand ? '' : 'not '}null`, params: [] };
    default:
      throw new BadInputError(`\`${path}\` is not an operator`, path);
  }
}

/**
 * Two-valued logic: a comparison with a null value is false, not unknown, so
 * `not` of it holds — what an investigator reading `not: {symbol: {eq: …}}` means.
 */
export function notNullAnd(column: WhereColumn, condition: Condition | null): Condition | null {
  if (!column.nullable || condition == null || condition === FALSE) return condition;
  return { sql: `(${column.sql} is not null and ${condition.sql})`, params: condition.params };
}

const COMPARISONS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** `%`, `_` and `\` as themselves in a LIKE pattern (backslash is PostgreSQL's default escape). */
const literalPattern = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);
