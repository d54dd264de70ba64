import { GraphQLError } from 'graphql';
import { type Duration, DURATION_FORMAT, DurationError, durationMilliseconds } from '../time/duration';
import { stringScalar } from './string-scalar';

/** An exact ISO 8601 duration, checked when the request is validated (so a bad one is refused before any SQL). */
export const DurationScalar = stringScalar<Duration>({
  name: 'Duration',
  description: `A length of time: ${DURATION_FORMAT}.`,
  example: 'P7D',
  parse: (value) => {
    try {
      durationMilliseconds(value);
      return value;
    } catch (error) {
      if (error instanceof DurationError) throw new GraphQLError(`Duration ${JSON.stringify(value)} ${error.message}`);
      throw error;
    }
  },
});
