import { type ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import type express from 'express';
import type { Context } from '../resolvers/context';

/**
 * `/graphql`: hands the request to Apollo, as @as-integrations/express5 does,
 * and runs it once more — on the primary, with a fresh context — when the
 * replica it read was lost midway (replicaRoutingPlugin): a query is
 * read-only, so running it again is safe, and no request is lost with a
 * replica. The dropped attempt writes nothing, not even its query audit entry.
 */
export function graphqlHandler(
  apollo: ApolloServer<Context>,
  contextOf: (request: express.Request, response: express.Response) => Context,
): express.RequestHandler {
  apollo.assertStarted('graphqlHandler()');
  return async (request, response) => {
    const httpGraphQLRequest = httpRequestOf(request);
    let context = contextOf(request, response);
    let answer = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
    if (context.route.replicaLost) {
      context = contextOf(request, response);
      context.route.primaryOnly = true;
      answer = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
    }
    for (const [name, value] of answer.headers) response.setHeader(name, value);
    response.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      response.send(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) response.write(chunk);
    response.end();
  };
}

function httpRequestOf(request: express.Request): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return {
    method: request.method.toUpperCase(),
    headers,
    search: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
    body: request.body as unknown,
  };
}
