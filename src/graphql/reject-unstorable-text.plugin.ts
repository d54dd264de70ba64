import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { holdsUnstorableText } from '../unstorable-text';

function holdsUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return holdsUnstorableText(value);
  if (Array.isArray(value)) return value.some(holdsUnstorable);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, inner]) => holdsUnstorableText(key) || holdsUnstorable(inner));
  return false;
}

/**
 * PostgreSQL text cannot hold a NUL character or a lone UTF-16 surrogate, so
 * one anywhere in the arguments would fail deep in SQL (or be silently
 * replaced by the driver); it is refused up front as bad input. Variables are
 * walked recursively: their depth is limited before GraphQL runs
 * (protection/variables-depth.ts).
 */
export function rejectUnstorableTextPlugin<T extends object>(): ApolloServerPlugin<T> {
  // Apollo hands a repeated query the same parsed document: its literals are walked once.
  const cleanDocuments = new WeakSet<DocumentNode>();
  const literalsHoldUnstorable = (document: DocumentNode) => {
    if (cleanDocuments.has(document)) return false;
    let found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (holdsUnstorableText(node.value)) found = true;
      },
    });
    if (!found) cleanDocuments.add(document);
    return found;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (literalsHoldUnstorable(document) || holdsUnstorable(request.variables)) {
            throw new GraphQLError('arguments must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates (such as a lone \\ud800)', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
