import type pg from 'pg';

/**
 * Writes synthetic rows for the planner (EXPLAIN tests), one statement per
 * table, in one transaction with each table's record trigger off: their chain
 * hashes (test/chain.test.ts covers those) would only slow the writing down.
 */
export async function writePlannerRows(client: pg.Client, statements: Record<string, string>): Promise<void> {
  await client.query('begin');
  for (const table of Object.keys(statements))
    await client.query(`alter table ${table} disable trigger ${table}_recorded`);
  for (const sql of Object.values(statements)) await client.query(sql);
  for (const table of Object.keys(statements))
    await client.query(`alter table ${table} enable trigger ${table}_recorded`);
  await client.query('commit');
}
