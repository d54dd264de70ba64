import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Context } from '../context';
import { formatError } from './format-error';
import { rejectNulCharactersPlugin } from './reject-nul.plugin';
import { gatewaySchema } from './schema';

/**
 * The Apollo server over the gateway schema. HTTP wiring is separate so tests
 * can run operations in-process with `executeOperation` on the same server.
 */
export async function createApolloServer(plugins: ApolloServerPlugin<Context>[] = []): Promise<ApolloServer<Context>> {
  const server = new ApolloServer<Context>({
    schema: await gatewaySchema(),
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The serve command owns shutdown (HTTP, pool, then embedded PostgreSQL, in that order).
    stopOnTerminationSignals: false,
    // The gateway serves its own offline playground at /playground instead of Apollo's CDN page.
    plugins: [ApolloServerPluginLandingPageDisabled(), rejectNulCharactersPlugin(), ...plugins],
  });
  await server.start();
  return server;
}
