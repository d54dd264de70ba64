import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * The gateway answers queries and mutations over HTTP; it has no subscription
 * transport, and graphql-js would fail a subscription as an internal error.
 */
export function refuseSubscriptionsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'subscriptions are not supported: this gateway answers queries and mutations over HTTP',
            {
              extensions: { code: 'SUBSCRIPTIONS_NOT_SUPPORTED', http: { status: 400 } },
            },
          );
        },
      };
    },
  };
}
