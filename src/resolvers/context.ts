import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../auth/caller';
import type { Config } from '../base/config';
import type { Orm } from '../database/orm';
import { createLoaders, type Loaders } from '../loaders';
import type { Replica } from '../database/replicas/read-router';

/**
 * What resolvers read of the configuration: that of the server they run in,
 * read once when it started (a setting given to `serve` is the one they use;
 * no request parses the environment).
 */
export type ServerSettings = Pick<Config, 'witnessDir' | 'integrationBoundS' | 'archiveDir' | 'archiveKeyFile'>;

export type Context = {
  em: EntityManager;
  loaders: Loaders;
  /** Returned as X-Request-Id, carried by the log lines and the query audit entry of this request. */
  requestId: string;
  /** The W3C trace the request joined or started, on its log line and its query audit entry. */
  traceId?: string;
  caller: Caller;
  settings: ServerSettings;
  /** Where the request reads: the primary, unless the read router sent the query to a replica. */
  route: ReadRoute;
};

export type ReadRoute = {
  replica: Replica | undefined;
  /** A second run, after a replica was lost: no replica this time. */
  primaryOnly: boolean;
  /** The replica was lost during the query: its answer is dropped and the query runs again on the primary. */
  replicaLost: boolean;
};

/** The one place a request's context is made: its own EntityManager fork and loaders, and who is asking. */
export function createContext(
  orm: Orm,
  caller: Caller,
  settings: ServerSettings,
  requestId: string = randomUUID(),
  traceId?: string,
): Context {
  const em = orm.em.fork();
  const route: ReadRoute = { replica: undefined, primaryOnly: false, replicaLost: false };
  return { em, loaders: createLoaders(em, settings), requestId, traceId, caller, settings, route } satisfies Context;
}

/** Points the request at `replica` before anything is read: its EntityManager, and loaders over it. */
export function readFromReplica(context: Context, replica: Replica): void {
  context.em = replica.orm.em.fork();
  context.loaders = createLoaders(context.em, context.settings);
  context.route.replica = replica;
}
