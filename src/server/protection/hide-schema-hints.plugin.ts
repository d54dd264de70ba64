import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

/**
 * graphql-js's hints: "Did you mean "open"?", "Did you mean the enum value "open"?", "Did you mean "a", "b", or
 * "c"?" (names never hold "?").
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Apollo's refusal of an introspection query, which tells the client how to configure the server. */
const APOLLO_INTROSPECTION_REFUSAL = /^GraphQL introspection is not allowed/;

export const INTROSPECTION_OFF_MESSAGE = 'introspection is off on this gateway';

const withoutHints = (error: GraphQLFormattedError): GraphQLFormattedError => ({
  ...error,
  message: APOLLO_INTROSPECTION_REFUSAL.test(error.message)
    ? INTROSPECTION_OFF_MESSAGE
    : error.message.replace(SUGGESTION, ''),
});

/**
 * While introspection is off, error messages must not reveal the schema
 * either: "Did you mean …" hints (field, argument, type and enum value names,
 * from validation and from variable coercion alike) are removed, and the
 * introspection refusal is a neutral sentence.
 */
export function hideSchemaHintsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map(withoutHints);
        },
      };
    },
  };
}
