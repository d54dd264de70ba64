import type { EntityManager } from '@mikro-orm/postgresql';
import { SUBJECT_TABLES } from '../entities/audit-event.entity';

const TABLES = [
  ...SUBJECT_TABLES,
  'api_payload_tombstones',
  'audit_events',
  'query_audit_log',
  'query_documents',
  'api_keys',
];

export type TableStorage = { table: string; rows: number; bytes: number };
export type PayloadMonth = { month: string; payloads: number; bodies: number; bodyBytes: number; purged: number };
export type StorageSummary = { tables: TableStorage[]; totalBytes: number; payloadsByMonth: PayloadMonth[] };

/**
 * Where the space goes: rows and on-disk bytes (with indexes and TOAST) per
 * table, and payload bodies by month of creation — what a retention purge
 * of those months would free (`bodyBytes` is the size recorded at write time).
 */
export async function storageSummary(em: EntityManager): Promise<StorageSummary> {
  const knex = em.getKnex();
  const counts = TABLES.map(
    (table) =>
      `select '${table}' as table, (select count(*) from ${table})::bigint as rows,
              pg_total_relation_size('${table}') as bytes`,
  ).join(' union all ');
  const { rows: tables } = await knex.raw(counts);
  const { rows: months } = await knex.raw(`
    select to_char(date_trunc('month', p.created_at), 'YYYY-MM') as month, count(*)::bigint as payloads,
           count(*) filter (where p.payload is not null)::bigint as bodies,
           coalesce(sum(p.payload_bytes) filter (where p.payload is not null), 0)::bigint as body_bytes,
           count(t.api_payload_id)::bigint as purged
    from api_payloads p left join api_payload_tombstones t on t.api_payload_id = p.id
    group by 1 order by 1`);
  const tableStorage = (tables as { table: string; rows: string; bytes: string }[]).map((row) => ({
    table: row.table,
    rows: Number(row.rows),
    bytes: Number(row.bytes),
  }));
  return {
    tables: tableStorage,
    totalBytes: tableStorage.reduce((sum, row) => sum + row.bytes, 0),
    payloadsByMonth: (months as Record<string, string>[]).map((row) => ({
      month: row.month!,
      payloads: Number(row.payloads),
      bodies: Number(row.bodies),
      bodyBytes: Number(row.body_bytes),
      purged: Number(row.purged),
    })),
  };
}
