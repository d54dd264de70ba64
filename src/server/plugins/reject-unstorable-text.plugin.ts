import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { holdsUnstorableText, valueHoldsUnstorableText } from '../../base/unstorable-text';

/**
 * PostgreSQL text cannot hold a NUL character or a lone UTF-16 surrogate, so
 * one anywhere in the arguments would fail deep in SQL (or be silently
 * replaced by the driver); it is refused up front as bad input. Variables are
 * walked without recursion: this must hold at any depth, whether or not the
 * HTTP depth check ran first (a GET once skipped it).
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
          if (literalsHoldUnstorable(document) || valueHoldsUnstorableText(request.variables)) {
            throw new GraphQLError(
              'arguments must not contain NUL (\\u0000) characters ' +
                'or unpaired UTF-16 surrogates (such as a lone \\ud800)',
              {
                extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
              },
            );
          }
        },
      };
    },
  };
}
