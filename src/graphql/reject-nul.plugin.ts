import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';

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
  // Apollo hands a repeated query the same parsed document: its literals are walked once.
  const cleanDocuments = new WeakSet<DocumentNode>();
  const literalsHoldNul = (document: DocumentNode) => {
    if (cleanDocuments.has(document)) return false;
    let found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes(NUL)) found = true;
      },
    });
    if (!found) cleanDocuments.add(document);
    return found;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (literalsHoldNul(document) || holdsNul(request.variables)) {
            throw new GraphQLError('arguments must not contain NUL (\\u0000) characters', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
