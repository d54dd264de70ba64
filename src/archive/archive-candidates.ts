import type { Knex } from '@mikro-orm/postgresql';

/**
 * Payload `p`'s leaf, by one probe of the (source, record_key) index.
 * `offset 0` keeps it a probe whatever the statistics say: joined plainly, a
 * tree just integrated (not analyzed yet, estimated at a few hundred leaves)
 * was planned as a nested loop comparing every payload with every leaf —
 * 3.9 s per thousand bodies at scale 1.
 */
const LEAF_OF_PAYLOAD = `select l.leaf_index, l.leaf_hash from merkle_leaves l
  where l.source = 'api_payloads' and l.record_key = p.id::text offset 0`;

/** The bounds of UTC month `?` ('YYYY-MM'), as timestamptz. */
const MONTH_START = `((?::text || '-01')::timestamp at time zone 'UTC')`;
const MONTH_END = `(((?::text || '-01')::timestamp + interval '1 month') at time zone 'UTC')`;

/**
 * The SQL of the bodies the archive takes: created before the cutoff, still
 * in the database, not archived yet. `waiting` are those whose leaf is not in
 * the tree or not under the newest signed checkpoint (tree size `?`) yet.
 */
const PAST_CUTOFF = `from api_payloads p
  left join lateral (${LEAF_OF_PAYLOAD}) l on true
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

/** A run's bodies and bytes by month, and those that wait (bound: tree size ×3, cutoff). */
export const ARCHIVE_PLAN_SQL = `select ${MONTH} as month,
        count(*) filter (where l.leaf_index < ?)::int as bodies,
        coalesce(sum(octet_length(p.payload::text)) filter (where l.leaf_index < ?), 0)::bigint as body_bytes,
        count(*) filter (where l.leaf_index is null or l.leaf_index >= ?)::int as waiting
   ${PAST_CUTOFF} group by 1 order by 1`;

/** What a run would archive under a checkpoint of `treeSize` leaves, by month, and what must wait. */
export async function archivePlan(knex: Knex, cutoff: Date, treeSize: number): Promise<ArchivePlan> {
  const { rows } = (await knex.raw(ARCHIVE_PLAN_SQL, [treeSize, treeSize, treeSize, cutoff])) as {
    rows: { month: string; bodies: number; body_bytes: string; waiting: number }[];
  };
  return {
    months: rows
      .filter((row) => row.bodies > 0)
      .map((row) => ({ month: row.month, bodies: row.bodies, bodyBytes: Number(row.body_bytes) })),
    waiting: rows.reduce((sum, row) => sum + row.waiting, 0),
  };
}

const CHUNK = 1_000;

/** The leaves of month `?` whose bodies a run takes (bound: month, month, cutoff, tree size), in leaf order. */
export const MONTH_LEAVES_SQL = `select p.id::text as key, l.leaf_index::text as leaf_index, encode(l.leaf_hash, 'hex') as leaf_hash
   from api_payloads p cross join lateral (${LEAF_OF_PAYLOAD}) l
  where p.created_at >= ${MONTH_START} and p.created_at < least(${MONTH_END}, ?) and p.payload is not null
    and l.leaf_index < ? and not exists (select 1 from archived_bodies a where a.api_payload_id = p.id)
  order by l.leaf_index`;

/**
 * A month's bodies to archive, in leaf order, a chunk at a time: the month's
 * leaves first, in one pass of the created_at index (small: a key and a hash
 * each), then the bodies by primary key — never a query per chunk that
 * re-reads the month.
 */
export async function* bodiesOfMonth(
  knex: Knex,
  cutoff: Date,
  treeSize: number,
  month: string,
): AsyncGenerator<BodyToArchive[]> {
  const { rows: leaves } = (await knex.raw(MONTH_LEAVES_SQL, [month, month, cutoff, treeSize])) as {
    rows: { key: string; leaf_index: string; leaf_hash: string }[];
  };
  for (let first = 0; first < leaves.length; first += CHUNK) {
    const chunk = leaves.slice(first, first + CHUNK);
    const { rows } = (await knex.raw(
      `select p.id::text as key, p.payload::text as body,
              to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
         from api_payloads p where p.id = any(?::bigint[]) and p.payload is not null`,
      [chunk.map(({ key }) => key)],
    )) as { rows: { key: string; body: string; created_at: string }[] };
    const bodies = new Map(rows.map((row) => [row.key, row]));
    // A body purged since the month was read has no row here: it is not archived (and is no longer in the database).
    yield chunk.flatMap((leaf) => {
      const body = bodies.get(leaf.key);
      return body
        ? [
            {
              key: leaf.key,
              leafIndex: Number(leaf.leaf_index),
              leafHash: leaf.leaf_hash,
              createdAt: body.created_at,
              body: body.body,
            },
          ]
        : [];
    });
  }
}
