import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../auth/caller';
import type { Orm } from '../database/orm';
import { createLoaders, type Loaders } from '../loaders';

export type Context = {
  em: EntityManager;
  loaders: Loaders;
  /** Returned as X-Request-Id, carried by the log lines and the query audit entry of this request. */
  requestId: string;
  caller: Caller;
};

/** The one place a request's context is made: its own EntityManager fork and loaders, and who is asking. */
export function createContext(orm: Orm, caller: Caller, requestId: string = randomUUID()): Context {
  const em = orm.em.fork();
  return { em, loaders: createLoaders(em), requestId, caller } satisfies Context;
}
