import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * A scalar whose values are exact text both ways (Decimal, DateTime): a string
 * is parsed by `parse` (which throws a GraphQLError naming the problem),
 * anything else is refused with an `example`, and answers go out as held.
 */
export function stringScalar<T extends string>(config: {
  name: string;
  description: string;
  example: string;
  parse: (text: string) => T;
}): GraphQLScalarType<T, string> {
  const { name, example, parse } = config;
  const parseValue = (value: unknown): T => {
    if (typeof value !== 'string')
      throw new GraphQLError(
        `${name} must be a string such as "${example}"; got ${JSON.stringify(value) ?? typeof value}`,
      );
    return parse(value);
  };
  return new GraphQLScalarType<T, string>({
    name,
    description: config.description,
    serialize: (value) => {
      if (typeof value === 'string') return value;
      throw new GraphQLError(`${name} cannot represent ${typeof value} value`);
    },
    parseValue,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} literals must be strings, e.g. "${example}"`);
      return parseValue(ast.value);
    },
  });
}
