import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import { emQueryable } from '../proof/em-queryable';
import { type Leaf, leavesOf, refKey } from '../proof/leaf-reads';
import type { RecordRef } from '../proof/record-ref';

/**
 * `leafIndex` / `leafHash` of any record: the leaves of one query level's
 * records, whatever their types, in one statement (null until integrated).
 */
export const leafOfRecord = (em: EntityManager) =>
  new DataLoader<RecordRef, Leaf | null, string>(
    async (refs) => {
      recordBatch('MerkleLeaf.record', refs.length);
      const leaves = await leavesOf(emQueryable(em), refs);
      return refs.map((ref) => leaves.get(refKey(ref)) ?? null);
    },
    { cacheKeyFn: refKey },
  );
