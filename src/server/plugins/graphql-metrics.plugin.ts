import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram } from 'prom-client';
import { recordOperationStatements } from '../../metrics/operation-sql';
import { metricsRegistry } from '../../metrics/registry';

const operationDuration = new Histogram({
  name: 'auditgraph_graphql_operation_duration_seconds',
  help: 'Time from receiving a GraphQL operation to sending its response.',
  labelNames: ['operation_name', 'operation_type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const errors = new Counter({
  name: 'auditgraph_graphql_errors_total',
  help: 'GraphQL errors sent to clients, by extensions.code.',
  labelNames: ['code'] as const,
  registers: [metricsRegistry],
});

/** Requests refused before GraphQL ran (no valid key, over the rate, a malformed body) count among the errors too. */
export function countRefusedRequest(code: string): void {
  errors.inc({ code });
}

/**
 * Operation names come from clients: the first this many distinct names get
 * their own label value, later ones share `other`, so no client can grow the
 * series count without bound.
 */
export const MAX_OPERATION_NAMES = 100;
const knownOperationNames = new Set<string>();

function operationNameLabel(name: string | undefined | null): string {
  if (!name) return 'anonymous';
  const label = name.slice(0, 64);
  if (knownOperationNames.has(label)) return label;
  if (knownOperationNames.size >= MAX_OPERATION_NAMES) return 'other';
  knownOperationNames.add(label);
  return label;
}

/** Records each operation's duration and each error's code. */
export function graphqlMetricsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const stopTimer = operationDuration.startTimer();
      return {
        async willSendResponse({ operation, operationName, response }) {
          // Unnamed or unparsable operations share one label value.
          stopTimer({
            operation_name: operation ? operationNameLabel(operationName) : 'anonymous',
            operation_type: operation?.operation ?? 'unknown',
          });
          recordOperationStatements(operation?.operation ?? 'unknown');
          if (response.body.kind === 'single') {
            for (const error of response.body.singleResult.errors ?? []) {
              errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
            }
          }
        },
      };
    },
  };
}
