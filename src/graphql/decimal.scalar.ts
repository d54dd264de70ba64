import { GraphQLError } from 'graphql';
import { stringScalar } from './string-scalar';

const DECIMAL_PATTERN = /^-?\d{1,12}(\.\d{1,8})?$/;

/**
 * Exact decimal numbers (prices, quantities, commissions) as strings, so no
 * value passes through a float: `numeric` comes back from PostgreSQL as text
 * and goes out unchanged. graphql-scalars has no arbitrary-precision decimal.
 */
export const Decimal = stringScalar({
  name: 'Decimal',
  description: 'An exact decimal number, as a string (e.g. "187.25000000"). Never rounded through a float.',
  example: '123.45',
  parse: (value) => {
    if (!DECIMAL_PATTERN.test(value)) {
      throw new GraphQLError(
        'Decimal must be a string such as "123.45" (up to 12 integer and 8 fractional digits); ' +
          `got ${JSON.stringify(value)}`,
      );
    }
    return value;
  },
});
