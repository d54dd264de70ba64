import type { EntityManager } from '@mikro-orm/postgresql';
import { inWriteTransaction } from '../record/write-transaction';
import type { TreeHead } from './tree-consistency';
import type { Db } from './verification-snapshot';

/**
 * The tree the newest intact run verified (chain_verifications), as a head
 * the tree must still extend: the default run re-encodes only the leaves
 * integrated since, and a tree that no longer extends it was rewritten.
 */
export async function lastVerifiedTree(db: Db): Promise<TreeHead | undefined> {
  const { rows } = await db.query<{ size: string; root: Buffer; full: boolean; at: string }>(
    `select tree_size::text as size, root, "full", to_char(verified_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
       from chain_verifications order by id desc limit 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    size: Number(row.size),
    root: row.root,
    time: row.at,
    from: `chain_verifications, a ${row.full ? 'full' : 'default'} run`,
    signed: false,
  };
}

/** Appends an intact run's tree to chain_verifications (the CLI's runs; GraphQL sessions are read-only). */
export async function recordVerifiedTree(
  em: EntityManager,
  tree: { size: number; root: Buffer; full: boolean },
): Promise<void> {
  await inWriteTransaction(em, (trx) =>
    trx.raw(`insert into chain_verifications (tree_size, root, "full") values (?, ?, ?)`, [
      String(tree.size),
      tree.root,
      tree.full,
    ]),
  );
}
