import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../resolvers/auth-checker';
import { resolvers } from '../resolvers';

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema, built once per process from the resolver classes. */
export function gatewaySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, authChecker, validate: false, emitSchemaFile: false });
  return built;
}

/** The SDL committed as schema.graphql: sorted, so diffs show real changes only. */
export async function printGatewaySchema(): Promise<string> {
  const header = '# Generated from the code by `npm run schema`; do not edit. A test fails when it drifts.\n\n';
  return header + printSchema(lexicographicSortSchema(await gatewaySchema())) + '\n';
}
