import { GraphQLJSON } from './json.scalar';
import { Field, InputType } from 'type-graphql';
import { isLosslessNumber } from 'lossless-json';
import { BadInputError } from '../base/errors';
import { stringifyExactJson } from '../json/exact-json';
import { sqlStateOf } from '../base/sql-state';
import { referencesPathVariable } from './json-path-variables';

@InputType({ description: 'A value at a path inside a JSON document.' })
export class JsonPathValue {
  @Field(() => [String], { description: 'Object keys from the top, e.g. ["thresholds", "min_score"].' })
  path!: string[];

  @Field(() => GraphQLJSON, { description: 'The JSON value expected there.' })
  value!: unknown;
}

@InputType({
  description:
    "Conditions on a JSON document, through the column's GIN index " +
    '(jsonb_ops; each field says what the index serves); all given conditions must hold.',
})
export class JsonFilter {
  @Field(() => GraphQLJSON, { nullable: true, description: 'The document contains this object or array (`@>`).' })
  contains?: unknown;

  @Field(() => String, { nullable: true, description: 'The document has this top-level key (`?`).' })
  hasKey?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'The document has at least one of these top-level keys (`?|`).',
  })
  hasAnyKeys?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'The document has all of these top-level keys (`?&`).' })
  hasAllKeys?: string[] | null;

  @Field(() => JsonPathValue, {
    nullable: true,
    description: 'The value at a key path equals this value (containment, `@>`).',
  })
  pathEquals?: JsonPathValue | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A SQL/JSON path predicate that must be true (`@@`), e.g. `$.signal == "congress_buy"`. The GIN index serves ' +
      'equality of a key path to a constant; other predicates (`$.score > 0.9`) are checked row by row, ' +
      'so combine them with an indexed condition.',
  })
  jsonPath?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A SQL/JSON path that must match something (`@?`), e.g. `$ ? (@.sector == "Energy")`. ' +
      'The GIN index serves paths that filter a key path by equality to a constant; ' +
      'a bare path such as `$.sector` is checked row by row (use hasKey for that).',
  })
  jsonPathExists?: string | null;
}

/** A WHERE fragment with `?` placeholders and the values bound to them. */
export type SqlCondition = { sql: string; params: unknown[] };

const MAX_KEYS = 100;
const MAX_PATH_LENGTH = 2000;

/**
 * Translates a JsonFilter on one jsonb column into conditions using only the
 * operators a jsonb_ops GIN index serves. Values are always bound parameters;
 * the column name comes from our own code. Literal `?` operators are escaped
 * (`\\?`) so the query builder does not take them for placeholders.
 */
export function jsonFilterConditions(
  column: string,
  filter: JsonFilter | null | undefined,
  argument: string,
): SqlCondition[] {
  if (!filter) return [];
  const conditions: SqlCondition[] = [];
  if (filter.contains != null) {
    if (typeof filter.contains !== 'object' || isLosslessNumber(filter.contains)) {
      throw new BadInputError(
        `\`${argument}.contains\` must be a JSON object or array, e.g. {"signal": "congress_buy"}`,
        `${argument}.contains`,
      );
    }
    // Written with their digits: the stored jsonb numbers are exact, a rounded double would match none of them.
    conditions.push({ sql: `${column} @> ?::jsonb`, params: [stringifyExactJson(filter.contains)] });
  }
  if (filter.hasKey != null) conditions.push({ sql: `${column} \\? ?`, params: [filter.hasKey] });
  if (filter.hasAnyKeys != null)
    conditions.push({
      sql: `${column} \\?| ?::text[]`,
      params: [textArrayLiteral(keys(filter.hasAnyKeys, `${argument}.hasAnyKeys`))],
    });
  if (filter.hasAllKeys != null)
    conditions.push({
      sql: `${column} \\?& ?::text[]`,
      params: [textArrayLiteral(keys(filter.hasAllKeys, `${argument}.hasAllKeys`))],
    });
  if (filter.pathEquals != null) {
    const { path, value } = filter.pathEquals;
    if (path.length === 0 || path.length > 32 || path.some((key) => key === '')) {
      throw new BadInputError(
        `\`${argument}.pathEquals.path\` must hold 1 to 32 non-empty keys`,
        `${argument}.pathEquals`,
      );
    }
    // {"a": {"b": value}} @> turns a path equality into containment, which the GIN index serves.
    const nested = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value ?? null);
    conditions.push({ sql: `${column} @> ?::jsonb`, params: [stringifyExactJson(nested)] });
  }
  if (filter.jsonPath != null)
    conditions.push({ sql: `${column} @@ ?::jsonpath`, params: [jsonPath(filter.jsonPath, `${argument}.jsonPath`)] });
  if (filter.jsonPathExists != null) {
    conditions.push({
      sql: `${column} @\\? ?::jsonpath`,
      params: [jsonPath(filter.jsonPathExists, `${argument}.jsonPathExists`)],
    });
  }
  return conditions;
}

/** The JSON paths of a filter, for validation by PostgreSQL's own parser before the query runs. */
export function jsonPathsOf(
  filter: JsonFilter | null | undefined,
  argument: string,
): { path: string; argument: string }[] {
  if (!filter) return [];
  return [
    ...(filter.jsonPath != null ? [{ path: filter.jsonPath, argument: `${argument}.jsonPath` }] : []),
    ...(filter.jsonPathExists != null ? [{ path: filter.jsonPathExists, argument: `${argument}.jsonPathExists` }] : []),
  ];
}

function keys(values: string[], argument: string): string[] {
  if (values.length === 0 || values.length > MAX_KEYS)
    throw new BadInputError(`\`${argument}\` must hold 1 to ${MAX_KEYS} keys`, argument);
  return values;
}

/**
 * A PostgreSQL text[] literal, bound as one parameter: the query builder would
 * spread a JavaScript array into a list of placeholders.
 */
function textArrayLiteral(values: string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`).join(',')}}`;
}

function jsonPath(path: string, argument: string): string {
  if (path.trim() === '' || path.length > MAX_PATH_LENGTH) {
    throw new BadInputError(`\`${argument}\` must be a SQL/JSON path of 1 to ${MAX_PATH_LENGTH} characters`, argument);
  }
  if (referencesPathVariable(path)) {
    throw new BadInputError(
      `\`${argument}\` refers to a path variable ($name), which cannot be passed here: write its value into the path`,
      argument,
    );
  }
  return path;
}

/**
 * SQLSTATEs of a path PostgreSQL's parser refuses: a syntax error, or a data exception (a bad regex, an
 * unsupported item).
 */
const INVALID_PATH = /^(42601|22...)$/;
const SYNTAX_ERROR = '42601';

/**
 * Checks SQL/JSON paths with PostgreSQL's own parser (one `select ?::jsonpath`
 * each, only when a path is given), so a typo is a BAD_USER_INPUT naming the
 * argument rather than a failed query. The parser's own text stays in the
 * log; any other failure (the database unreachable, say) is not the caller's
 * fault and goes on as what it is.
 */
export async function assertValidJsonPaths(
  execute: (sql: string, params: unknown[]) => Promise<unknown>,
  paths: { path: string; argument: string }[],
): Promise<void> {
  for (const { path, argument } of paths) {
    try {
      await execute('select ?::jsonpath', [path]);
    } catch (error) {
      const state = sqlStateOf(error) ?? '';
      if (!INVALID_PATH.test(state)) throw error;
      const reason = state === SYNTAX_ERROR ? 'syntax error' : 'PostgreSQL cannot evaluate it';
      throw new BadInputError(
        `\`${argument}\` is not a valid SQL/JSON path: ${reason} (one that is: \`$.signal == "congress_buy"\`)`,
        argument,
      );
    }
  }
}
