import type DataLoader from 'dataloader';
import type { NodeType } from '../../lineage/node-types';
import type { ChildPageLoader } from '../child-page';
import type { Plan } from './plan';

export type Row = { id: string } & object;
/** A record asked for by a key, with the plan of what to read below it. */
export type Lookup = { type: NodeType; property: string; key: string; plan: Plan };

/**
 * What the read-ahead asks of the request's loader set. The set (Loaders in
 * src/loaders/index.ts) holds the read-ahead, so the read-ahead names only
 * what it uses rather than import the set back: no import cycle.
 */
export type ReadAheadLoaders = {
  key<T extends object = object>(type: NodeType, property: string): DataLoader<string, T | null>;
  relationList<T>(type: NodeType, field: string): ChildPageLoader<T>;
  readonly readAhead: DataLoader<Lookup, Row | null, string>;
};
