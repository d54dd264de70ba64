import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { Context } from '../../resolvers/context';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../../base/database-unavailable';
import { QueryOutcome } from '../../entities/query-audit-entry.entity';
import { logger } from '../../base/logger';
import type { QueryAuditLog } from '../../query-audit/query-audit-log';

/**
 * Appends every operation to the query audit log once its response is ready,
 * and holds the response until the entry is committed. If it cannot be
 * recorded, data is withheld (503 AUDIT_LOG_UNAVAILABLE): nothing is read
 * off the record. When PostgreSQL cannot be reached — for the operation or
 * for its record — the answer is 503 DATABASE_UNAVAILABLE with `Retry-After`,
 * whatever else the operation would have said.
 */
export function queryAuditPlugin(log: QueryAuditLog): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const startedAt = new Date();
      const started = performance.now();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response, operation, operationName, queryHash }) {
          // Dropped and run again on the primary, which records it.
          if (contextValue.route.replicaLost) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errorCodes = (result?.errors ?? []).map((error) =>
            String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
          );
          const databaseDown = errorCodes.includes(DATABASE_UNAVAILABLE.extensions!.code as string);
          const outcome = !executed
            ? QueryOutcome.rejected
            : errorCodes.length > 0
              ? QueryOutcome.error
              : QueryOutcome.ok;
          let unrecorded: unknown;
          try {
            await log.append({
              requestId: contextValue.requestId,
              traceId: contextValue.traceId,
              caller: contextValue.caller,
              clientAddress: contextValue.caller.address,
              operationName: operationName ?? request.operationName,
              operationType: operation?.operation,
              document: request.query,
              queryHash,
              variables: request.variables,
              durationMs: performance.now() - started,
              outcome,
              errorCodes,
              startedAt,
            });
          } catch (error) {
            unrecorded = error;
            logger.error(
              { err: error, requestId: contextValue.requestId },
              'could not record an operation in the query audit log',
            );
          }
          if (databaseDown || (unrecorded !== undefined && isDatabaseUnavailable(unrecorded))) {
            answerDatabaseUnavailable(response);
          } else if (unrecorded !== undefined && result && result.data != null) {
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: 'the answer is withheld: it could not be recorded in the query audit log',
                    extensions: { code: 'AUDIT_LOG_UNAVAILABLE' },
                  },
                ],
              },
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}

function answerDatabaseUnavailable(response: GraphQLResponse): void {
  response.body = { kind: 'single', singleResult: { errors: [DATABASE_UNAVAILABLE] } };
  response.http.status = 503;
  response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
}
