import type { EntityManager, EntityMetadata, EntityName } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import { metadataOf, readModelOf } from '../queries/read-model';
import { currentStatusColumn } from '../queries/current-status';
import { runPrepared } from '../sql/prepared-statement';

/** One value per key, in key order, as DataLoader requires; missing keys get null. */
export function onePerKey<K, T>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): (T | null)[] {
  const byKey = new Map<K, T>();
  for (const row of rows) if (!byKey.has(keyOf(row))) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/** The records whose `property` is in `keys` (a bigint[] or text[] expression), with their current status. */
export function uniqueKeySql<T>(meta: EntityMetadata<T>, property: keyof T & string, keys: string): string {
  const column = meta.properties[property as keyof typeof meta.properties].fieldNames[0];
  return `select t.*${currentStatusColumn(meta.tableName, 't')}
    from ${meta.tableName} t where t.${column} = any(${keys})`;
}

/**
 * A loader of records by a unique column (the primary key or an external
 * id): one `where column = any($1)` statement per batch, the keys bound as
 * one array (the driver escapes it), the rows mapped to read models (see readModelOf).
 */
export function uniqueKeyLoader<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  property: keyof T & string,
): DataLoader<string, T | null> {
  const meta = metadataOf(em, entity);
  const sql = uniqueKeySql(meta, property, '?');
  const toModel = readModelOf(em, entity);
  const name = `${meta.className}.${property}`;
  return new DataLoader(async (keys) => {
    recordBatch(name, keys.length);
    const { rows } = await runPrepared<Record<string, unknown>>(em, sql, [[...keys]]);
    return onePerKey(keys, rows.map(toModel), (row) => String(row[property]));
  });
}
