import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';

/** One value per key, in key order, as DataLoader requires; missing keys get null. */
export function onePerKey<K, T>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): (T | null)[] {
  const byKey = new Map<K, T>();
  for (const row of rows) if (!byKey.has(keyOf(row))) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/**
 * A loader of entities by a unique column (the primary key or an external
 * id): one `where column in (…)` statement per batch.
 */
export function uniqueKeyLoader<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  property: keyof T & string,
): DataLoader<string, T | null> {
  const name = `${typeof entity === 'function' ? entity.name : String(entity)}.${property}`;
  return new DataLoader(async (keys) => {
    recordBatch(name, keys.length);
    const rows = await em.find(entity, { [property]: { $in: [...keys] } } as FilterQuery<T>);
    return onePerKey(keys, rows, (row) => String(row[property]));
  });
}
