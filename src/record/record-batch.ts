import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { RecordResult } from './record-inputs';
import type { RecordTable } from './record-tables';
import { emptyBundle, type PendingRecord, type RecordBundle, writeBundle, zeroCounts } from './record-writer';
import { inWriteTransaction } from './write-transaction';

// The part every record mutation shares: one transaction, the idempotent writer, the producer-id links.

/** Link columns to fill from the rows the producer ids name; absent ids link nothing. */
export const links = (
  entries: [column: string, table: RecordTable, externalId: string | null | undefined][],
): PendingRecord['links'] =>
  Object.fromEntries(
    entries
      .filter(([, , externalId]) => externalId != null)
      .map(([column, table, externalId]) => [column, { table, externalId: externalId! }]),
  );

/**
 * Runs one record mutation: every record validated, then all of them written
 * in one transaction through the idempotent writer (a CONFLICT or a bad link
 * anywhere writes nothing); answers the row ids in the order sent.
 */
export async function record(
  em: EntityManager,
  actor: string,
  spec: RecordTable,
  keys: string[],
  fill: (bundle: RecordBundle, trx: Knex.Transaction) => void | Promise<void>,
  after?: (trx: Knex.Transaction, ids: Map<string, string>) => Promise<void>,
): Promise<RecordResult> {
  const counts = zeroCounts();
  return inWriteTransaction(em, async (trx) => {
    const bundle = emptyBundle();
    await fill(bundle, trx);
    const known = await writeBundle(trx, bundle, counts, actor);
    const ids = known.get(spec)!;
    await after?.(trx, ids);
    return {
      created: counts[spec.table].created,
      unchanged: counts[spec.table].unchanged,
      databaseIds: keys.map((key) => ids.get(key)!),
    };
  });
}
