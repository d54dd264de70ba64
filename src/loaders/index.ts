import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { AuditEvent, RecordCorrection } from '../entities';
import type { NODE_TYPES, NodeType } from '../lineage/node-types';
import type { TargetOf, ToListField, ToOneField } from '../lineage/relations';
import { apiKeyById } from './api-key.loaders';
import { type ArchiveReadSettings, archiveFramesOf, payloadStorageOf } from './archived-body.loaders';
import { eventsOf } from './audit-event.loaders';
import { correctionsOf } from './correction.loaders';
import type { ChildPageLoader } from './child-page';
import { nodeKeyLoader } from './key-loaders';
import { leafOfRecord } from './leaf.loaders';
import { payloadUnderHold } from './legal-hold.loaders';
import { queryDocumentByHash } from './query-document.loaders';
import { readAheadLoader } from './read-ahead';
import { relationListLoader, relationOneLoader, type ToOneLoader } from './relation-loaders';
import { statusAsOfLoader, type StatusAsOfKey } from './status-as-of.loaders';

/** The read model of a node type: its entity. */
export type NodeOf<Type extends NodeType> = (typeof NODE_TYPES)[Type]['entity']['prototype'];

const named = { apiKeyById, queryDocumentByHash, readAhead: readAheadLoader, leaf: leafOfRecord, payloadUnderHold };

export type Loaders = { readonly [Name in keyof typeof named]: ReturnType<(typeof named)[Name]> } & {
  /** The request's loader of `type` nodes by `property`: the id, or the node type's external key. */
  key<T extends object = object>(type: NodeType, property: string): DataLoader<string, T | null>;
  /** A to-one field of the lineage registry (`TradeExecution.decision`): `load(parent)` is null without a link. */
  one<Type extends NodeType, Field extends ToOneField<Type>>(
    type: Type,
    field: Field,
  ): ToOneLoader<NodeOf<Type>, NodeOf<TargetOf<Type, Field>>>;
  /** A list field of the lineage registry (`Position.executions`), by parent id and page. */
  list<Type extends NodeType, Field extends ToListField<Type>>(
    type: Type,
    field: Field,
  ): ChildPageLoader<NodeOf<TargetOf<Type, Field>>>;
  /** A list field by name, for code that walks the registry (the read-ahead). */
  relationList<T>(type: NodeType, field: string): ChildPageLoader<T>;
  /** `events` of every node type: the audit events about a node, in chain order. */
  events(type: NodeType): ChildPageLoader<AuditEvent>;
  /** `corrections` of every node type: its corrections, oldest first, by its id and page. */
  corrections(type: NodeType): ChildPageLoader<RecordCorrection>;
  /** `statusAsOf(at:)` of every node type with a lifecycle: its status as it stood at an instant. */
  statusAsOf(type: NodeType): DataLoader<StatusAsOfKey, string | null, string>;
  /** Whether a payload without a body was purged, and where its archived copy is. */
  readonly payloadStorage: ReturnType<typeof payloadStorageOf>;
  /** Archive frames' lines, one read per frame: purged bodies read back. */
  readonly archiveFrames: ReturnType<typeof archiveFramesOf>;
};

/**
 * A fresh set of loaders over one request's EntityManager. Never shared
 * between requests: a loader caches what it loaded, and a cache that outlived
 * its request would serve one caller's view to another. Each is made on first
 * use — a point lookup needs one of them.
 */
export function createLoaders(em: EntityManager, archive: ArchiveReadSettings = {} as ArchiveReadSettings): Loaders {
  const made = new Map<string, unknown>();
  const once = <T>(name: string, make: () => T): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  const key = <T extends object>(type: NodeType, property: string) =>
    once(`key:${type}.${property}`, () => nodeKeyLoader<T>(em, type, property));
  const relationList = <T>(type: NodeType, field: string) =>
    once(`list:${type}.${field}`, () => relationListLoader(em, type, field)) as ChildPageLoader<T>;
  const loaders: Loaders = {
    key,
    relationList,
    one: (type, field) =>
      once(`one:${type}.${field}`, () => relationOneLoader((target) => key<object>(target, 'id'), type, field)),
    list: (type, field) => relationList(type, field),
    events: (type) => once(`events:${type}`, () => eventsOf(em, type)),
    corrections: (type) => once(`corrections:${type}`, () => correctionsOf(em, type)),
    statusAsOf: (type) => once(`statusAsOf:${type}`, () => statusAsOfLoader(em, type)),
    get payloadStorage() {
      return once('payloadStorage', () => payloadStorageOf(em));
    },
    get archiveFrames() {
      return once('archiveFrames', () => archiveFramesOf(archive));
    },
  } as Loaders;
  for (const name of Object.keys(named) as (keyof typeof named)[]) {
    // The read-ahead fills other loaders, so it is given the set it belongs to.
    Object.defineProperty(loaders, name, {
      enumerable: true,
      get: () => once(name, () => named[name](em, loaders)),
    });
  }
  return loaders;
}
