import type { ApolloServerPlugin } from '@apollo/server';
import { isDatabaseUnavailable } from '../../base/database-unavailable';
import { logger } from '../../base/logger';
import type { ReadRouter } from '../../database/replicas/read-router';
import { countOperationDatabase, countRetriedOnPrimary } from '../../metrics/replica-metrics';
import { type Context, readFromReplica } from '../../resolvers/context';

/**
 * Sends each query to a replica in rotation, once its operation is known and
 * before anything is read; mutations (and what they read back) stay on the
 * primary. A query that finds its replica gone is marked to run again on the
 * primary (graphqlHandler), and its replica leaves rotation at once.
 */
export function replicaRoutingPlugin(router: ReadRouter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ operation }) {
          const replica =
            operation?.operation === 'query' && !contextValue.route.primaryOnly ? router.pick() : undefined;
          if (replica) readFromReplica(contextValue, replica);
          countOperationDatabase(replica ? 'replica' : 'primary');
        },
        async didEncounterErrors({ errors }) {
          const replica = contextValue.route.replica;
          if (!replica) return;
          const lost = errors.find((error) => isDatabaseUnavailable(error.originalError ?? error));
          if (!lost) return;
          router.lost(replica, lost.originalError ?? lost);
          contextValue.route.replicaLost = true;
          countRetriedOnPrimary();
          logger.warn(
            { replica: replica.name, requestId: contextValue.requestId },
            'replica lost: query retried on the primary',
          );
        },
      };
    },
  };
}
