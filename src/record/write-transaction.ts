import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * A transaction that may write (gateway sessions are read-only by default)
 * and that names its actor, which the record trigger writes on every
 * records_written event. Every producer write path opens its transaction here.
 */
export function inWriteTransaction<T>(
  em: EntityManager,
  actor: string,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return em.getKnex().transaction(async (trx) => {
    await trx.raw('set transaction read write');
    await trx.raw(`select set_config('auditgraph.actor', ?, true)`, [actor]);
    return work(trx);
  });
}
