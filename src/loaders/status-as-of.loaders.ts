import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { NodeType } from '../lineage/node-types';
import { recordBatch } from '../metrics/dataloader-metrics';
import { statusesAsOf } from '../queries/as-of';
import type { Instant } from '../time/instant';

export type StatusAsOfKey = { id: string; at: Instant };

/**
 * `statusAsOf(at:)` of `type` records: one statement per instant asked in a
 * batch (a query level asks one or a few, whatever its rows), through the
 * status derivation of current-status.ts (see as-of.ts).
 */
export function statusAsOfLoader(em: EntityManager, type: NodeType): DataLoader<StatusAsOfKey, string | null, string> {
  return new DataLoader(
    async (keys) => {
      recordBatch(`${type}.statusAsOf`, keys.length);
      const byInstant = new Map<Instant, Set<string>>();
      for (const { id, at } of keys) byInstant.set(at, (byInstant.get(at) ?? new Set()).add(id));
      const answered = new Map<string, string | null>();
      for (const [at, ids] of byInstant)
        for (const [id, status] of await statusesAsOf(em, type, [...ids], at)) answered.set(`${at}|${id}`, status);
      return keys.map(({ id, at }) => answered.get(`${at}|${id}`) ?? null);
    },
    { cacheKeyFn: ({ id, at }) => `${at}|${id}` },
  );
}
