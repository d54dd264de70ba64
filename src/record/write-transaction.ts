import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * A transaction that may write (gateway sessions are read-only by default).
 * Every producer write path opens its transaction here. It takes no lock of
 * its own and nothing hashes its rows as they are written: the database
 * notes the transaction's id in each row (recorded_xid) and the integrator
 * takes the rows into the Merkle tree after commit, so writers never wait on
 * one another for the proof.
 */
export function inWriteTransaction<T>(em: EntityManager, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return em.getKnex().transaction(async (trx) => {
    await trx.raw('set transaction read write');
    return work(trx);
  });
}
