import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';

/** What the checks need of a connection: pg's `query` with `$n` parameters and cursors. */
export type Db = Pick<pg.ClientBase, 'query'>;

type KnexClient = {
  acquireConnection(): Promise<pg.PoolClient>;
  releaseConnection(connection: unknown): Promise<void>;
};

/**
 * Runs `work` on one connection of the EntityManager's pool (the CLI's, or
 * the gateway's read-only session), released after. pg's own client rather
 * than knex: the checks stream through cursors.
 */
export async function withConnection<T>(em: EntityManager, work: (db: Db) => Promise<T>): Promise<T> {
  const client = em.getKnex().client as unknown as KnexClient;
  const connection = await client.acquireConnection();
  try {
    return await work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Runs `work` in one REPEATABLE READ READ ONLY transaction on `db`: every
 * check sees the same snapshot, so the tree's leaves and nodes, its size in
 * merkle_integration and the rows they stand for are all of one instant,
 * however long the run.
 */
export async function inSnapshot<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db.query('begin isolation level repeatable read read only');
  try {
    // The legacy chain hashed timestamps and bytea as text: render them as its triggers did.
    await db.query(`set local timezone to 'UTC'; set local bytea_output to 'hex'`);
    const result = await work();
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}
