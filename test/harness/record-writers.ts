import type pg from 'pg';
import { LEAF_SOURCES, type SourceRow } from '../../src/integrator/leaf-sources';

let counter = 0;

/**
 * Writes `count` decisions, one audit event about the first and one query
 * audit entry, in the client's current transaction (or its own), as a
 * producer's SQL would; returns the leaves they make, `source/key`.
 */
export async function writeRecords(client: pg.ClientBase, count: number): Promise<string[]> {
  const tag = `w${process.pid}-${++counter}`;
  const { rows: decisions } = await client.query<{ id: string }>(
    `insert into trade_decisions (decision_id, strategy, symbol, side, quantity, order_type, status)
       select $1 || '-' || n, 'S', 'NVDA', 'buy', n, 'market', 'pending' from generate_series(1, $2::int) n
     returning id::text`,
    [tag, count],
  );
  const { rows: events } = await client.query<{ seq: string }>(
    `insert into audit_events (log_type, event, subject_table, subject_id, actor, occurred_at)
       values ('TRADE', 'note', 'trade_decisions', $1, $2, now()) returning seq::text`,
    [decisions[0]?.id ?? null, tag],
  );
  const { rows: entries } = await client.query<{ xid: string }>(
    `insert into query_audit_log (request_id, role, duration_ms, outcome, started_at)
       values ($1, 'anonymous', 1.5, 'ok', now()) returning recorded_xid::text as xid`,
    [tag],
  );
  return [
    ...decisions.map(({ id }) => `trade_decisions/${id}`),
    `audit_events/${events[0]!.seq}`,
    `query_audit_log/${entries[0]!.xid}`,
  ];
}

/** Every record's leaf, in the order one batch integrating all of them gives (source, recorded_xid, key). */
export async function oneBatchLeafOrder(client: pg.ClientBase): Promise<string[]> {
  const leaves: string[] = [];
  for (const source of LEAF_SOURCES) {
    const { rows } = await client.query<SourceRow>(source.select('true'));
    leaves.push(...rows.map((row) => `${source.source}/${row.key}`));
  }
  return leaves;
}
