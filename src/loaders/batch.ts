import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';

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
  return new DataLoader(async (keys) => {
    const rows = await em.find(entity, { [property]: { $in: [...keys] } } as FilterQuery<T>);
    return onePerKey(keys, rows, (row) => String(row[property]));
  });
}
