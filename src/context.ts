import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from './database/orm';
import { createLoaders, type Loaders } from './loaders';

/** Who is asking. Authentication arrives with API keys; until then, where from. */
export type Caller = { kind: 'anonymous'; address: string | undefined };

export type Context = {
  em: EntityManager;
  loaders: Loaders;
  requestId: string;
  caller: Caller;
};

/** The one place a request's context is made: its own EntityManager fork and loaders. */
export function createContext(orm: Orm, caller: Caller): Context {
  const em = orm.em.fork();
  return { em, loaders: createLoaders(em), requestId: randomUUID(), caller } satisfies Context;
}
