import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queryable } from '../integrator/pg-hash-store';

/**
 * The request's EntityManager as the `query(text, values)` of a pg client,
 * for the statements written with `$n` parameters (the Merkle store's, the
 * leaf sources'): each `$n` becomes a knex binding, so the statement runs on
 * the ORM's pool and is seen (and counted) as every other statement is. The
 * texts must hold no literal `?`, knex's own placeholder.
 */
export function emQueryable(em: EntityManager): Queryable {
  const knex = em.getConnection().getKnex();
  const query = async (text: string, values: readonly unknown[] = []) => {
    if (text.includes('?')) throw new Error('a statement run through knex may not hold a literal "?"');
    const order: number[] = [];
    const sql = text.replace(/\$(\d+)/g, (_match, position: string) => {
      order.push(Number(position) - 1);
      return '?';
    });
    const result = (await knex.raw(sql, order.map((index) => values[index]) as unknown as readonly never[])) as {
      rows: unknown[];
    };
    return { rows: result.rows };
  };
  return { query } as unknown as Queryable;
}
