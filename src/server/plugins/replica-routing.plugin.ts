import type { ApolloServerPlugin } from '@apollo/server';
import { Counter } from 'prom-client';
import { isDatabaseUnavailable } from '../../base/database-unavailable';
import { logger } from '../../base/logger';
import type { ReadRouter } from '../../database/replicas/read-router';
import { metricsRegistry } from '../../metrics/registry';
import { type Context, readFromReplica } from '../../resolvers/context';

const operationsByTarget = new Counter({
  name: 'auditgraph_graphql_operations_by_database_total',
  help: 'GraphQL operations by the database they read: a replica, or the primary (mutations, and queries while no replica is in rotation).',
  labelNames: ['database'] as const,
  registers: [metricsRegistry],
});

const retriedOnPrimary = new Counter({
  name: 'auditgraph_replica_queries_retried_total',
  help: 'Queries whose replica was lost while they ran, run again on the primary.',
  registers: [metricsRegistry],
});

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
          operationsByTarget.inc({ database: replica ? 'replica' : 'primary' });
        },
        async didEncounterErrors({ errors }) {
          const replica = contextValue.route.replica;
          if (!replica) return;
          const lost = errors.find((error) => isDatabaseUnavailable(error.originalError ?? error));
          if (!lost) return;
          router.lost(replica, lost.originalError ?? lost);
          contextValue.route.replicaLost = true;
          retriedOnPrimary.inc();
          logger.warn(
            { replica: replica.name, requestId: contextValue.requestId },
            'replica lost: query retried on the primary',
          );
        },
      };
    },
  };
}
