import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { type Config, loadConfig } from '../base/config';
import type { Context } from '../resolvers/context';
import { stringifyExactJson } from '../json/exact-json';
import { formatError } from './format-error';
import { documentLimits, MAX_DOCUMENT_TOKENS } from './protection/armor';
import { queryCostLimitPlugin } from './protection/query-cost';
import { refuseSubscriptionsPlugin } from './protection/refuse-subscriptions.plugin';
import { rejectUnstorableTextPlugin } from './plugins/reject-unstorable-text.plugin';
import { gatewaySchema } from './schema';

export type OperationLimits = Pick<Config, 'maxQueryCost' | 'maxQueryDepth' | 'introspection'>;

/**
 * The Apollo server over the gateway schema, with the limits every operation
 * is checked against before it runs. HTTP wiring is separate so tests can run
 * operations in-process with `executeOperation` on the same server.
 */
export async function createApolloServer(
  options: { plugins?: ApolloServerPlugin<Context>[]; limits?: OperationLimits } = {},
): Promise<ApolloServer<Context>> {
  const limits = options.limits ?? loadConfig({});
  const armor = documentLimits({ maxDepth: limits.maxQueryDepth, introspection: limits.introspection });
  const server = new ApolloServer<Context>({
    schema: await gatewaySchema(),
    formatError,
    // Answers carry jsonb numbers with their stored digits (LosslessNumbers from the JSON parser).
    stringifyResult: (result) => stringifyExactJson(result),
    includeStacktraceInErrorResponses: false,
    introspection: limits.introspection,
    // One operation per HTTP request: an array of them would slip past per-request limits.
    allowBatchedHttpRequests: false,
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    // The serve command owns shutdown (HTTP, pool, then embedded PostgreSQL, in that order).
    stopOnTerminationSignals: false,
    plugins: [
      // The gateway serves its own offline playground at /playground instead of Apollo's CDN page.
      ApolloServerPluginLandingPageDisabled(),
      // Answers are never cached by HTTP caches (each is an audited read), and the
      // cache-control plugin would wrap every field resolver to compute hints.
      ApolloServerPluginCacheControlDisabled(),
      rejectUnstorableTextPlugin(),
      refuseSubscriptionsPlugin(),
      ...(armor.plugins as ApolloServerPlugin<Context>[]),
      queryCostLimitPlugin(limits.maxQueryCost),
      ...(options.plugins ?? []),
    ],
  });
  await server.start();
  return server;
}
