import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { NODE_TYPES, type NodeType } from '../lineage/node-types';
import { uniqueKeyLoader } from './batch';

/**
 * A loader of `type` nodes by `property`: the id (to-one fields, `node(id:)`
 * and lookups by global id) or the node type's external key (lookups such as
 * `decision(decisionId:)`).
 */
export function nodeKeyLoader<T extends object>(
  em: EntityManager,
  type: NodeType,
  property: string,
): DataLoader<string, T | null> {
  if (property !== 'id' && property !== NODE_TYPES[type].externalKey)
    throw new Error(`no key loader for ${type}.${property}`);
  return uniqueKeyLoader(em, NODE_TYPES[type].entity as never, property as never) as DataLoader<string, T | null>;
}
