import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler } from 'express';
import { createContext } from './context';
import type { Orm } from './database/orm';
import { createApolloServer } from './graphql/apollo-server';
import { logger } from './logger';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin';
import { metricsRegistry } from './metrics/registry';
import { countOperationStatements, operationSqlScope } from './metrics/operation-sql';
import { usePoolMetricsSource } from './metrics/pool-metrics';
import { useRunbookGaugeSource } from './metrics/runbook-gauges';
import { healthRouter } from './health/health.router';
import { playgroundRouter } from './playground/playground.router';

export type RunningGateway = {
  /** The GraphQL endpoint. */
  url: string;
  close(): Promise<void>;
};

/** Serves the GraphQL endpoint at `/graphql` over HTTP until `close()`. */
export async function startHttpServer(orm: Orm, options: { host: string; port: number }): Promise<RunningGateway> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = await createApolloServer([ApolloServerPluginDrainHttpServer({ httpServer }), graphqlMetricsPlugin()]);

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
    express.json({ limit: '1mb' }),
    operationSqlScope,
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(orm, { kind: 'anonymous', address: req.socket.remoteAddress }),
    }),
  );

  app.use(answerHttpErrorsAsGraphQL);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await apollo.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} on ${options.host} is already in use: set PORT to another port (0 picks a free one)`);
    }
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`,
    close: () => apollo.stop(),
  };
}

/**
 * Errors raised before GraphQL runs (a body that is not JSON, or too large)
 * answered in GraphQL's error shape, never with Express's HTML stack page.
 */
const answerHttpErrorsAsGraphQL: ErrorRequestHandler = (error: { type?: string; status?: number }, _request, response, _next) => {
  const known: Record<string, [number, string]> = {
    'entity.parse.failed': [400, 'the request body is not valid JSON'],
    'entity.too.large': [413, 'the request body is larger than 1 MB'],
    'encoding.unsupported': [415, 'the request body encoding is not supported'],
  };
  const [status, message] = known[error.type ?? ''] ?? [500, 'Internal server error'];
  if (status === 500) logger.error({ err: error }, 'HTTP request failed before GraphQL');
  response.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
};
