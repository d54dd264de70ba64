import assert from 'node:assert';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { anonymousCaller, type Caller } from '../../src/auth/caller';
import { loadConfig } from '../../src/base/config';
import { type Context, createContext, type ServerSettings } from '../../src/resolvers/context';
import { createOrm, type Orm } from '../../src/database/orm';
import { createApolloServer } from '../../src/server/apollo-server';
import { stringifyExactJson } from '../../src/json/exact-json';
import { createTestDatabase, type TestDatabase } from './database';

export type GraphQLResult<T = Record<string, any>> = { data?: T | null; errors?: readonly GraphQLFormattedError[] };

export type TestGateway = {
  orm: Orm;
  database: TestDatabase;
  apollo: ApolloServer<Context>;
  /** The server's settings every request's context carries. */
  settings: ServerSettings;
  /**
   * Runs one operation in-process with a fresh request context, as HTTP would; anonymous (read)
   * unless a caller is given.
   */
  execute<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    caller?: Caller,
  ): Promise<GraphQLResult<T>>;
  /**
   * Runs `work` and returns how many SQL statements it sent to PostgreSQL,
   * their text, and the values bound to each (empty when inlined).
   */
  countStatements<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; statements: number; sql: string[]; bindings: unknown[][] }>;
  close(): Promise<void>;
};

/** A gateway over a database of the test file's own. */
export async function startTestGateway(
  /** The database to serve (dropped on close); a fresh migrated one unless given. */
  given?: TestDatabase,
): Promise<TestGateway> {
  // The configuration's defaults, as startHttpServer keeps them for what a test does not set.
  const { witnessDir, integrationBoundS, archiveDir, archiveKeyFile } = loadConfig({});
  const settings: ServerSettings = { witnessDir, integrationBoundS, archiveDir, archiveKeyFile };
  const database = given ?? (await createTestDatabase());
  const orm = await createOrm({ databaseUrl: database.url, poolMax: 4 });
  const apollo = await createApolloServer();
  const knex = orm.em.getConnection().getKnex();

  return {
    orm,
    database,
    apollo,
    settings,
    async execute(query, variables, caller = anonymousCaller('test')) {
      const response = await apollo.executeOperation(
        { query, variables },
        { contextValue: createContext(orm, caller, settings) },
      );
      assert(response.body.kind === 'single');
      // Round-trip through JSON as the server writes it, so tests see what an HTTP client would.
      return JSON.parse(stringifyExactJson(response.body.singleResult)) as GraphQLResult<any>;
    },
    async countStatements(work) {
      // Every statement the driver sends goes through knex, which emits `query` for each.
      const sql: string[] = [];
      const bindings: unknown[][] = [];
      const listener = (query: { sql: string; bindings?: unknown[] }) => {
        sql.push(query.sql);
        bindings.push(query.bindings ?? []);
      };
      knex.on('query', listener);
      try {
        const result = await work();
        return { result, statements: sql.length, sql, bindings };
      } finally {
        knex.off('query', listener);
      }
    },
    async close() {
      await apollo.stop();
      await orm.close();
      await database.drop();
    },
  };
}
