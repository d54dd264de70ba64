import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import { ApiKeyVerifier } from '../auth/api-key-verifier';
import { authenticate, callerOf } from './middleware/authenticate.middleware';
import { rateLimitPerCaller } from './middleware/rate-limit.middleware';
import { CallerRateLimiter } from './rate-limit/caller-rate-limiter';
import { type Config, ConfigError, loadConfig } from '../base/config';
import { createContext, type ServerSettings } from '../resolvers/context';
import type { Orm } from '../database/orm';
import { createApolloServer } from './apollo-server';
import { refuseBeforeGraphQL } from './protection/refuse-before-graphql.middleware';
import { answerHttpErrorsAsGraphQL } from './http-error-answer';
import { graphqlMetricsPlugin } from './plugins/graphql-metrics.plugin';
import { metricsRegistry } from '../metrics/registry';
import { operationSqlScope } from '../metrics/operation-sql';
import { observeGateway } from '../metrics/gateway-metrics';
import { healthRouter } from './health/health.router';
import { requirePermission } from './middleware/require-permission.middleware';
import { Permission } from '../auth/roles';
import { playgroundRouter } from './playground/playground.router';
import { QueryAuditLog } from '../query-audit/query-audit-log';
import { recordInvalidRequestsPlugin, rememberResponseForAudit } from './plugins/invalid-requests.plugin';
import { queryAuditPlugin } from './plugins/query-audit.plugin';
import { recordRefusal } from './record-refusal';
import { exactJsonBody } from './middleware/exact-json-body';
import { requestLogging } from './middleware/request-logging';
import { traceContext, traceIdOf } from './trace/trace-context.middleware';
import { ReadRouter } from '../database/replicas/read-router';
import { replicaRoutingPlugin } from './plugins/replica-routing.plugin';
import { graphqlHandler } from './graphql-handler';

/** What the HTTP server takes from the configuration; tests override a few and keep the defaults. */
export type HttpSettings = Pick<
  Config,
  | 'host'
  | 'port'
  | 'metricsHost'
  | 'metricsPort'
  | 'anonymousRead'
  | 'rateLimitPerMinute'
  | 'rateLimitStore'
  | 'maxBodyBytes'
  | 'maxQueryCost'
  | 'maxQueryDepth'
  | 'introspection'
  | 'auditRedact'
  | 'statementTimeoutMs'
  | 'poolMax'
  | 'replicaUrls'
  | 'replicaMaxLagMs'
  | 'replicaCheckIntervalMs'
  | keyof ServerSettings
>;

export type RunningGateway = {
  /** The GraphQL endpoint. */
  url: string;
  /** Where Prometheus scrapes: the metrics port's `/metrics`, else the endpoint's (with an admin key). */
  metricsUrl: string;
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
  const rateLimiter = CallerRateLimiter.create(
    options.rateLimitPerMinute,
    options.rateLimitStore,
    orm.config.get('clientUrl')!,
  );
  const readRouter = await ReadRouter.open(orm, {
    urls: options.replicaUrls,
    maxLagMs: options.replicaMaxLagMs,
    checkIntervalMs: options.replicaCheckIntervalMs,
    poolMax: options.poolMax,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  // Keys are checked on the primary: a revocation holds on the next request, whatever a replica's lag.
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
      replicaRoutingPlugin(readRouter),
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
  app.use(healthRouter(orm, verifier, readRouter));
  observeGateway(orm, settings, readRouter);
  // Business gauges and the database's state are not for anyone: a port of their own, else an admin key.
  const metricsServer = options.metricsPort === undefined ? undefined : http.createServer(metricsApp());
  if (!metricsServer) app.get('/metrics', ...requirePermission(Permission.readOperations, verifier), serveMetrics);
  app.use(
    '/graphql',
    authenticate({
      verifier,
      anonymousRead: options.anonymousRead,
      onRefused: (response) => recordRefused(response, 'UNAUTHENTICATED'),
    }),
    rateLimitPerCaller(rateLimiter, (response) => recordRefused(response, 'RATE_LIMITED', callerOf(response))),
    ...exactJsonBody(options.maxBodyBytes),
    refuseBeforeGraphQL,
    operationSqlScope,
    rememberResponseForAudit,
    graphqlHandler(apollo, (request, response) =>
      createContext(orm, callerOf(response), settings, String(request.id), traceIdOf(response)),
    ),
  );

  app.use(answerHttpErrorsAsGraphQL(options.maxBodyBytes, recordRefused));

  let metricsAddress: string | undefined;
  try {
    const address = await listen(httpServer, options.port, options.host, 'PORT');
    if (metricsServer)
      metricsAddress = await listen(
        metricsServer,
        options.metricsPort!,
        options.metricsHost,
        'AUDITGRAPH_METRICS_PORT',
      );
    const origin = `http://${address}`;
    return {
      url: `${origin}/graphql`,
      metricsUrl: `${metricsAddress ? `http://${metricsAddress}` : origin}/metrics`,
      close: async () => {
        // Drains HTTP first, so every answered operation's record is appended before the log closes.
        await apollo.stop();
        await auditLog.close();
        await verifier.stop();
        await rateLimiter.close();
        await readRouter.close();
        await closeServer(metricsServer);
      },
    };
  } catch (error) {
    // The drain plugin closes the API's listener; the metrics one is ours.
    await apollo.stop();
    await verifier.stop();
    await auditLog.close();
    await rateLimiter.close();
    await readRouter.close();
    await closeServer(metricsServer);
    throw error;
  }
}

/** `/metrics` on a listener of its own: nothing else is served there. */
function metricsApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', serveMetrics);
  return app;
}

const serveMetrics: express.RequestHandler = async (_request, response) => {
  response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
};

/** Listens on `host:port`; resolves with the `host:port` a client connects to. */
async function listen(server: http.Server, port: number, host: string, variable: string): Promise<string> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      // A setting to change, as a bad variable is: one line, exit 2.
      throw new ConfigError(
        `port ${port} on ${host} is already in use: set ${variable} to another port (0 picks a free one)`,
      );
    }
    throw error;
  }
  const { port: bound } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${bound}`;
}

function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}
