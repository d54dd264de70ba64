import { sqlStateOf } from '../base/sql-state';
import type { LeafSource, SourceRow } from '../integrator/leaf-sources';
import type { Db } from './verification-snapshot';

/** A key its source's lookup cannot even read (invalid text for the key's type, or out of its range). */
const MALFORMED_KEY = /^22(P02|003)$/;

async function attempt<T>(
  db: Db,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await db.query('savepoint rows_by_key');
  try {
    const value = await work();
    await db.query('release savepoint rows_by_key');
    return { ok: true, value };
  } catch (error) {
    await db.query('rollback to savepoint rows_by_key');
    return { ok: false, error };
  }
}

/**
 * The rows of `source` whose keys are `keys`, by key, with the source's own
 * lookup (one statement). A leaf key no record could have (a superuser's
 * `x` for an event number) makes that statement fail: then each key is
 * looked up alone and those that cannot be are returned as `malformed`,
 * for the caller to name, rather than ending the run.
 */
export async function rowsByKey(
  db: Db,
  source: LeafSource,
  keys: readonly string[],
): Promise<{ rows: Map<string, SourceRow>; malformed: string[] }> {
  const lookup = (wanted: readonly string[]) => db.query<SourceRow>(source.select(source.keyCondition), [wanted]);
  const all = await attempt(db, () => lookup(keys));
  if (all.ok) return { rows: new Map(all.value.rows.map((row) => [row.key, row])), malformed: [] };
  if (!MALFORMED_KEY.test(sqlStateOf(all.error) ?? '')) throw all.error;
  const rows = new Map<string, SourceRow>();
  const malformed: string[] = [];
  for (const key of keys) {
    const one = await attempt(db, () => lookup([key]));
    if (one.ok) for (const row of one.value.rows) rows.set(row.key, row);
    else if (MALFORMED_KEY.test(sqlStateOf(one.error) ?? '')) malformed.push(key);
    else throw one.error;
  }
  return { rows, malformed };
}
