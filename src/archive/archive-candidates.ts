import type { Knex } from '@mikro-orm/postgresql';

/**
 * The SQL of the bodies the archive takes: created before the cutoff, still
 * in the database, not archived yet. `waiting` are those whose leaf is not in
 * the tree or not under the newest signed checkpoint (tree size `?`) yet.
 */
const PAST_CUTOFF = `from api_payloads p
  left join merkle_leaves l on l.source = 'api_payloads' and l.record_key = p.id::text
 where p.created_at < ? and p.payload is not null
   and not exists (select 1 from archived_bodies a where a.api_payload_id = p.id)`;

/** UTC month of a payload, the archive file it belongs to. */
const MONTH = `to_char(p.created_at at time zone 'UTC', 'YYYY-MM')`;

export type BodyToArchive = {
  key: string;
  leafIndex: number;
  leafHash: string;
  createdAt: string;
  /** payload::text: PostgreSQL's text of the body, never re-serialized. */
  body: string;
};

export type ArchivePlan = {
  months: { month: string; bodies: number; bodyBytes: number }[];
  /** Past the cutoff but not yet under a signed checkpoint: a later run takes them. */
  waiting: number;
};

/** What a run would archive under a checkpoint of `treeSize` leaves, by month, and what must wait. */
export async function archivePlan(knex: Knex, cutoff: Date, treeSize: number): Promise<ArchivePlan> {
  const { rows } = (await knex.raw(
    `select ${MONTH} as month,
            count(*) filter (where l.leaf_index < ?)::int as bodies,
            coalesce(sum(octet_length(p.payload::text)) filter (where l.leaf_index < ?), 0)::bigint as body_bytes,
            count(*) filter (where l.leaf_index is null or l.leaf_index >= ?)::int as waiting
       ${PAST_CUTOFF} group by 1 order by 1`,
    [treeSize, treeSize, treeSize, cutoff],
  )) as { rows: { month: string; bodies: number; body_bytes: string; waiting: number }[] };
  return {
    months: rows
      .filter((row) => row.bodies > 0)
      .map((row) => ({ month: row.month, bodies: row.bodies, bodyBytes: Number(row.body_bytes) })),
    waiting: rows.reduce((sum, row) => sum + row.waiting, 0),
  };
}

const CHUNK = 1_000;

/** A month's bodies to archive, in leaf order, a chunk at a time. */
export async function* bodiesOfMonth(
  knex: Knex,
  cutoff: Date,
  treeSize: number,
  month: string,
): AsyncGenerator<BodyToArchive[]> {
  for (let after = -1; ;) {
    const { rows } = (await knex.raw(
      `select p.id::text as key, l.leaf_index::text as leaf_index, encode(l.leaf_hash, 'hex') as leaf_hash,
              to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at,
              p.payload::text as body
         ${PAST_CUTOFF} and l.leaf_index < ? and l.leaf_index > ? and ${MONTH} = ?
        order by l.leaf_index limit ${CHUNK}`,
      [cutoff, treeSize, after, month],
    )) as { rows: { key: string; leaf_index: string; leaf_hash: string; created_at: string; body: string }[] };
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      key: row.key,
      leafIndex: Number(row.leaf_index),
      leafHash: row.leaf_hash,
      createdAt: row.created_at,
      body: row.body,
    }));
    after = Number(rows[rows.length - 1]!.leaf_index);
  }
}
