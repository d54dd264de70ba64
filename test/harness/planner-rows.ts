import type pg from 'pg';

/**
 * Writes synthetic rows for the planner (EXPLAIN tests), one statement per
 * table, in one transaction: nothing hashes rows as they are written (the
 * Merkle tree is grown after commit), so they are written as any client would.
 */
export async function writePlannerRows(client: pg.Client, statements: Record<string, string>): Promise<void> {
  await client.query('begin');
  for (const sql of Object.values(statements)) await client.query(sql);
  await client.query('commit');
}
