import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit } from 'graphql';

const NUL = '\u0000';

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, inner]) => key.includes(NUL) || holdsNul(inner));
  return false;
}

/**
 * PostgreSQL text cannot hold a NUL character, so a NUL anywhere in the
 * arguments would fail deep in SQL; it is refused up front as bad input.
 */
export function rejectNulCharactersPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let inLiteral = false;
          visit(document, {
            [Kind.STRING]: (node) => {
              if (node.value.includes(NUL)) inLiteral = true;
            },
          });
          if (inLiteral || holdsNul(request.variables)) {
            throw new GraphQLError('arguments must not contain NUL (\\u0000) characters', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
