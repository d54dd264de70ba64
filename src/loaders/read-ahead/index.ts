import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { ConnectionResult } from '../../graphql/pagination/connection';
import { connectionNodeSelections } from '../../graphql/selection';
import type { NodeType } from '../../lineage/node-types';
import { recordBatch } from '../../metrics/dataloader-metrics';
import { uniqueKeySql } from '../batch';
import type { RankedRow } from '../child-page';
import { runPrepared } from '../../sql/prepared-statement';
import { metadataOf } from '../../queries/read-model';
import { type Plan, planOf } from './plan';
import type { Lookup, ReadAheadLoaders, Row } from './read-ahead-loaders';
import { primeLoaders } from './prime';
import { levelsOf, readAheadStatement, type Root } from './statement';

/**
 * Reading ahead: where an operation selects lineage below a record, every
 * level of it is read in one SQL statement (see readAheadStatement) instead
 * of one statement per level, as PostGraphile compiles a nested query. It
 * does not answer anything itself: it primes the request's loaders with
 * exactly the records and pages they would have read, so every resolver,
 * authorization check and page rule runs unchanged and finds its data loaded.
 * Pages after a cursor and page sizes out of range are left to their loaders
 * (which check them), as are audit-event lists.
 */
export function readAheadLoader(em: EntityManager, loaders: ReadAheadLoaders): DataLoader<Lookup, Row | null, string> {
  return new DataLoader<Lookup, Row | null, string>(
    async (lookups) => {
      // The metric's label predates the name "read-ahead"; dashboards and tests know it.
      recordBatch('lineage.prefetch', lookups.length);
      // Records asked together (aliases) with the same selection share one statement.
      const groups = new Map<string, Lookup[]>();
      for (const lookup of lookups) {
        const key = `${lookup.type}.${lookup.property}|${lookup.plan.shape}`;
        const group = groups.get(key);
        if (group) group.push(lookup);
        else groups.set(key, [lookup]);
      }
      for (const group of groups.values()) await readAheadLookups(em, loaders, group);
      return Promise.all(lookups.map((lookup) => loaders.key<Row>(lookup.type, lookup.property).load(lookup.key)));
    },
    { cacheKeyFn: (lookup) => `${lookup.type}.${lookup.property}|${lookup.key}|${lookup.plan.shape}` },
  );
}

/**
 * A record by `property` (its id or external key), read with the lineage the
 * operation selects below it in one statement; the plain key lookup when
 * nothing below it is selected.
 */
export function lookupReadingAhead<T>(
  loaders: ReadAheadLoaders,
  info: GraphQLResolveInfo,
  type: NodeType,
  property: string,
  key: string,
): Promise<T | null> {
  const plan = planOf(
    info,
    type,
    info.fieldNodes.map((node) => node.selectionSet),
  );
  if (!plan) return loaders.key<T & object>(type, property).load(key);
  return loaders.readAhead.load({ type, property, key, plan }) as Promise<T | null>;
}

/**
 * A page a list field answered, the lineage its selection asks below the
 * page's nodes read ahead in one more statement.
 */
export async function pageReadingAhead<T extends Row>(
  context: { em: EntityManager; loaders: ReadAheadLoaders },
  info: GraphQLResolveInfo,
  type: NodeType,
  page: ConnectionResult<T>,
): Promise<ConnectionResult<T>> {
  const plan = planOf(
    info,
    type,
    info.fieldNodes.flatMap((node) => connectionNodeSelections(info, node)),
  );
  if (plan && page.nodes.length > 0) {
    const root: Root = {
      key: `${type}.page`,
      type: null,
      sql: () => uniqueKeySql(metadataOf<Row>(context.em, type), 'id', '?'),
    };
    await readAhead(
      context.em,
      context.loaders,
      root,
      plan,
      page.nodes.map((node) => node.id),
    );
  }
  return page;
}

async function readAheadLookups(em: EntityManager, loaders: ReadAheadLoaders, lookups: Lookup[]): Promise<void> {
  const { type, property, plan } = lookups[0]!;
  const keys = lookups.map((lookup) => lookup.key);
  const root: Root = {
    key: `${type}.${property}`,
    type,
    sql: () => uniqueKeySql(metadataOf<Row>(em, type), property as never, '?'),
  };
  const rootRows = await readAhead(em, loaders, root, plan, keys);
  const found = new Map((rootRows ?? []).map((row) => [String(row[property as keyof typeof row]), row]));
  const loader = loaders.key<Row>(type, property);
  for (const key of keys) loader.prime(key, found.get(key) ?? null);
}

/**
 * Runs the statement for the plan's steps below the root's rows (the keys
 * bound as one array the driver escapes) and primes the loaders; returns the
 * root's rows as read models when the root asks for them.
 */
async function readAhead(
  em: EntityManager,
  loaders: ReadAheadLoaders,
  root: Root,
  plan: Plan,
  keys: string[],
): Promise<Row[] | undefined> {
  const levels = levelsOf(plan.steps);
  const statement = readAheadStatement(em, root, plan, levels);
  const { rows } = await runPrepared<{ levels: Record<string, RankedRow[]> }>(em, statement, [keys]);
  return primeLoaders(em, loaders, root.type, keys, levels, rows[0]!.levels);
}
