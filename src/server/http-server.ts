import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { ApiKeyVerifier } from '../auth/api-key-verifier';
import { authenticate, callerOf } from './middleware/authenticate.middleware';
import { rateLimitPerCaller } from './middleware/rate-limit.middleware';
import { type Config, ConfigError, loadConfig } from '../base/config';
import { createContext, type ServerSettings } from '../resolvers/context';
import type { Orm } from '../database/orm';
import { createApolloServer } from './apollo-server';
import { refuseBeforeGraphQL } from './protection/refuse-before-graphql.middleware';
import { answerHttpErrorsAsGraphQL } from './http-error-answer';
import { graphqlMetricsPlugin } from './plugins/graphql-metrics.plugin';
import { metricsRegistry } from '../metrics/registry';
import { countOperationStatements, operationSqlScope } from '../metrics/operation-sql';
import { usePoolMetricsSource } from '../metrics/pool-metrics';
import { useRunbookGaugeSource } from '../metrics/runbook-gauges';
import { healthRouter } from './health/health.router';
import { playgroundRouter } from './playground/playground.router';
import { QueryAuditLog } from '../query-audit/query-audit-log';
import { recordInvalidRequestsPlugin, rememberResponseForAudit } from './plugins/invalid-requests.plugin';
import { queryAuditPlugin } from './plugins/query-audit.plugin';
import { recordRefusal } from './record-refusal';
import { exactJsonBody } from './middleware/exact-json-body';
import { requestLogging } from './middleware/request-logging';
import { traceContext, traceIdOf } from './trace/trace-context.middleware';

/** What the HTTP server takes from the configuration; tests override a few and keep the defaults. */
export type HttpSettings = Pick<
  Config,
  | 'host'
  | 'port'
  | 'anonymousRead'
  | 'rateLimitPerMinute'
  | 'maxBodyBytes'
  | 'maxQueryCost'
  | 'maxQueryDepth'
  | 'introspection'
  | 'auditRedact'
  | 'statementTimeoutMs'
  | keyof ServerSettings
>;

export type RunningGateway = {
  /** The GraphQL endpoint. */
  url: string;
  close(): Promise<void>;
};

/** Serves the GraphQL endpoint at `/graphql` over HTTP until `close()`. */
export async function startHttpServer(
  orm: Orm,
  overrides: Partial<HttpSettings> & Pick<HttpSettings, 'host' | 'port'>,
): Promise<RunningGateway> {
  const options: HttpSettings = { ...loadConfig({}), ...overrides };
  const app = express();
  const httpServer = http.createServer(app);
  const auditLog = new QueryAuditLog(orm.config.get('clientUrl')!, {
    redact: options.auditRedact,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  const verifier = new ApiKeyVerifier(orm);
  await verifier.start();
  const recordRefused = recordRefusal(auditLog);
  const settings: ServerSettings = {
    witnessDir: options.witnessDir,
    integrationBoundS: options.integrationBoundS,
    archiveDir: options.archiveDir,
    archiveKeyFile: options.archiveKeyFile,
  };
  const apollo = await createApolloServer({
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      queryAuditPlugin(auditLog),
      recordInvalidRequestsPlugin(recordRefused),
      graphqlMetricsPlugin(),
    ],
    limits: options,
  });

  // Nobody needs to be told which framework answers.
  app.disable('x-powered-by');
  app.use(traceContext, requestLogging);

  app.get('/', (_request, response) => response.redirect('/playground'));
  // A browser opening the endpoint itself gets the playground too (Apollo's own
  // landing page loads from a CDN, so it is switched off in createApolloServer).
  app.get('/graphql', (request, response, next) => {
    if (request.query.query === undefined && request.accepts(['application/json', 'text/html']) === 'text/html') {
      response.redirect('/playground');
      return;
    }
    next();
  });
  app.use(playgroundRouter({ endpoint: '/graphql' }));
  app.use(healthRouter(orm));
  useRunbookGaugeSource(orm);
  usePoolMetricsSource(orm);
  countOperationStatements(orm);
  app.get('/metrics', async (_request, response) => {
    response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  app.use(
    '/graphql',
    authenticate({
      verifier,
      anonymousRead: options.anonymousRead,
      onRefused: (response) => recordRefused(response, 'UNAUTHENTICATED'),
    }),
    rateLimitPerCaller(options.rateLimitPerMinute, (response) =>
      recordRefused(response, 'RATE_LIMITED', callerOf(response)),
    ),
    ...exactJsonBody(options.maxBodyBytes),
    refuseBeforeGraphQL,
    operationSqlScope,
    rememberResponseForAudit,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => createContext(orm, callerOf(res), settings, String(req.id), traceIdOf(res)),
    }),
  );

  app.use(answerHttpErrorsAsGraphQL(options.maxBodyBytes, recordRefused));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await apollo.stop();
    await verifier.stop();
    await auditLog.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      // A setting to change, as a bad variable is: one line, exit 2.
      throw new ConfigError(
        `port ${options.port} on ${options.host} is already in use: set PORT to another port (0 picks a free one)`,
      );
    }
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`,
    close: async () => {
      // Drains HTTP first, so every answered operation's record is appended before the log closes.
      await apollo.stop();
      await auditLog.close();
      await verifier.stop();
    },
  };
}
