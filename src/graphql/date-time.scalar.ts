import { GraphQLError } from 'graphql';
import { INSTANTS_RANGE, type Instant, InstantError, parseDateTime } from '../time/instant';
import { stringScalar } from './string-scalar';

/**
 * Instants to the microsecond, as PostgreSQL keeps them and the trading logs
 * write them. graphql-scalars' GraphQLDateTime goes through a JavaScript Date
 * and so cuts every instant to milliseconds: an answer would lose what is
 * stored, and a value read and sent back would differ. This scalar carries
 * the canonical text of src/time/instant.ts instead, in and out; inputs
 * reach SQL as that text, never as a Date.
 */
export const DateTime = stringScalar<Instant>({
  name: 'DateTime',
  description:
    'An instant, RFC 3339. Answers are UTC with exactly 6 fractional digits (microseconds, as stored), ' +
    'e.g. "2026-03-31T14:30:00.123456Z". ' +
    `Inputs take any offset and up to 6 fractional digits, kept exactly. Supported range: ${INSTANTS_RANGE}.`,
  example: '2026-03-31T14:30:00.123456Z',
  parse: (value) => {
    try {
      return parseDateTime(value);
    } catch (error) {
      if (error instanceof InstantError) throw new GraphQLError(`DateTime ${JSON.stringify(value)} ${error.message}`);
      throw error;
    }
  },
});
