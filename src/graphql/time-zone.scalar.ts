import { GraphQLError } from 'graphql';
import { BadInputError } from '../base/errors';
import { timeZoneOf } from '../time/time-zone';
import { stringScalar } from './string-scalar';

/**
 * An IANA time zone name, checked when the argument is read (so a bad name is
 * a 400 before anything runs, like a value of the wrong type).
 */
export const TimeZone = stringScalar({
  name: 'TimeZone',
  description:
    'An IANA time zone name, e.g. "UTC", "Europe/London" or "America/New_York"; offsets such as "+05:00" are ' +
    'refused (PostgreSQL would read their sign the other way round).',
  example: 'America/New_York',
  parse: (text) => {
    try {
      return timeZoneOf(text, 'timeZone');
    } catch (error) {
      if (error instanceof BadInputError) throw new GraphQLError(error.message);
      throw error;
    }
  },
});
