import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DECIMAL_PATTERN = /^-?\d{1,12}(\.\d{1,8})?$/;

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new GraphQLError(
      `Decimal must be a string such as "123.45" (up to 12 integer and 8 fractional digits); got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Exact decimal numbers (prices, quantities, commissions) as strings, so no
 * value passes through a float: `numeric` comes back from PostgreSQL as text
 * and goes out unchanged. graphql-scalars has no arbitrary-precision decimal.
 */
export const Decimal = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, as a string (e.g. "187.25000000"). Never rounded through a float.',
  serialize: (value) => {
    if (typeof value === 'string') return value;
    throw new GraphQLError(`Decimal cannot represent ${typeof value} value`);
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Decimal literals must be strings, e.g. "123.45"');
    return parseDecimal(ast.value);
  },
});
