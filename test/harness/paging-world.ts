import fc from 'fast-check';
import type pg from 'pg';
import type { SubjectTable } from '../../src/entities/audit-event.entity';
import { type CorrectableTable, CORRECTABLE_TABLES } from '../../src/entities/record-correction.entity';

/**
 * Instants rows are created at: few, so most rows tie, and some a microsecond
 * apart, which a JavaScript Date cannot tell apart but PostgreSQL orders.
 */
export const INSTANTS = [
  '2026-10-01T14:00:00.000000Z',
  '2026-10-01T14:00:00.000001Z',
  '2026-10-01T14:00:00.000002Z',
  '2026-10-01T14:00:01Z',
];

const MAX_BIGINT = 9223372036854775807n;
/**
 * Ids at digit-count boundaries (where text order differs from numeric), at 2^53 (where a
 * JavaScript number rounds) and at bigint's end.
 */
const ID_WINDOWS: [bigint, bigint][] = [
  [1n, 12n],
  [95n, 105n],
  [995n, 1005n],
  [9995n, 10005n],
  [2n ** 53n - 3n, 2n ** 53n + 3n],
  [MAX_BIGINT - 6n, MAX_BIGINT],
];

/** Texts of the searchable columns: a few templates, so many hits share a rank; null and other words do not match. */
export const SEARCH_TEXT = 'insufficient buying power';
const TEXTS = [
  null,
  null,
  'rate limit exceeded',
  SEARCH_TEXT,
  `${SEARCH_TEXT} for order of 10 NVDA`,
  `order rejected: ${SEARCH_TEXT}, ${SEARCH_TEXT}`,
];
export const matchesSearch = (text: string | null) => text !== null && text.includes(SEARCH_TEXT);

export type Row = { id: string; at: number };
export type World = {
  runs: Row[];
  payloads: (Row & { run: string | null; text: string | null })[];
  decisions: (Row & { text: string | null })[];
  inputs: { decision: string; payload: string }[];
  positions: Row[];
  executions: (Row & {
    decision: string | null;
    position: string | null;
    request: string | null;
    response: string | null;
    text: string | null;
  })[];
  events: (Row & { subject: { table: SubjectTable; id: string } | null })[];
  /** Corrections, each of a record (a node's `corrections`); their content is not what paging tests. */
  corrections: (Row & { subject: { table: CorrectableTable; id: string } })[];
  queryAudit: Row[];
};

const id = fc
  .constantFrom(...ID_WINDOWS)
  .chain(([min, max]) => fc.bigInt({ min, max }))
  .map(String);
const at = fc.nat({ max: INSTANTS.length - 1 });
const text = fc.constantFrom(...TEXTS);
const ref = fc.option(fc.nat(), { nil: null });
const rows = <T extends { id: string }>(fields: fc.Arbitrary<T>, maxLength: number) =>
  fc.uniqueArray(fields, { selector: (row) => row.id, maxLength });

/** Picks the `index`th of `ids` (wrapping), or null when there are none or no pick. */
const pick = (ids: string[], index: number | null) =>
  index === null || ids.length === 0 ? null : ids[index % ids.length]!;

/** Random lineage data with many ties, few parents with several children each, and ids at the boundaries. */
export const worldArbitrary: fc.Arbitrary<World> = fc
  .record({
    runs: rows(fc.record({ id, at }), 5),
    payloads: rows(fc.record({ id, at, run: ref, text }), 14),
    decisions: rows(fc.record({ id, at, text }), 8),
    // Inputs crowd onto the first few payloads, so that payloads feed several decisions and
    // decisions have several inputs.
    inputs: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 })), { maxLength: 24 }),
    positions: rows(fc.record({ id, at }), 4),
    executions: rows(fc.record({ id, at, decision: ref, position: ref, request: ref, response: ref, text }), 14),
    events: rows(
      fc.record({
        id,
        at,
        table: fc.constantFrom<SubjectTable | null>(
          null,
          'data_ingestion_runs',
          'api_payloads',
          'trade_decisions',
          'trade_executions',
          'positions',
        ),
        subject: fc.nat(),
      }),
      16,
    ),
    corrections: rows(
      fc.record({
        id,
        at,
        table: fc.constantFrom<CorrectableTable>(...CORRECTABLE_TABLES),
        subject: fc.nat(),
      }),
      12,
    ),
    queryAudit: rows(fc.record({ id, at }), 14),
  })
  .map((drawn) => {
    const idsOf = (list: { id: string }[]) => list.map((row) => row.id);
    const [runIds, payloadIds, decisionIds, positionIds, executionIds] = [
      drawn.runs,
      drawn.payloads,
      drawn.decisions,
      drawn.positions,
      drawn.executions,
    ].map(idsOf) as string[][];
    const subjectIds: Record<SubjectTable, string[]> = {
      data_ingestion_runs: runIds!,
      api_payloads: payloadIds!,
      trade_decisions: decisionIds!,
      trade_executions: executionIds!,
      positions: positionIds!,
      decision_inputs: [],
    };
    const inputs = new Map<string, { decision: string; payload: string }>();
    for (const [decision, payload] of drawn.inputs) {
      const pair = { decision: pick(decisionIds!, decision), payload: pick(payloadIds!, payload) };
      if (pair.decision && pair.payload)
        inputs.set(`${pair.decision}/${pair.payload}`, pair as { decision: string; payload: string });
    }
    return {
      runs: drawn.runs,
      payloads: drawn.payloads.map((row) => ({ ...row, run: pick(runIds!, row.run) })),
      decisions: drawn.decisions,
      inputs: [...inputs.values()],
      positions: drawn.positions,
      executions: drawn.executions.map((row) => ({
        ...row,
        decision: pick(decisionIds!, row.decision),
        position: pick(positionIds!, row.position),
        request: pick(payloadIds!, row.request),
        response: pick(payloadIds!, row.response),
      })),
      events: drawn.events.map(({ id, at, table, subject }) => {
        const subjectId = table ? pick(subjectIds[table], subject) : null;
        return { id, at, subject: table && subjectId ? { table, id: subjectId } : null };
      }),
      corrections: drawn.corrections.flatMap(({ id, at, table, subject }) => {
        const subjectId = pick(subjectIds[table], subject);
        return subjectId ? [{ id, at, subject: { table, id: subjectId } }] : [];
      }),
      queryAudit: drawn.queryAudit,
    };
  });

const TABLES = [
  'record_corrections',
  'decision_inputs',
  'trade_executions',
  'positions',
  'trade_decisions',
  'api_payloads',
  'data_ingestion_runs',
  'audit_events',
  'query_audit_log',
] as const;

/** The rows of `world` as each table's columns (what json_populate_recordset reads). */
function tableRows(world: World): Record<(typeof TABLES)[number], Record<string, unknown>[]> {
  const time = (row: Row) => INSTANTS[row.at];
  return {
    data_ingestion_runs: world.runs.map((row) => ({
      id: row.id,
      run_id: `run-${row.id}`,
      task_name: 'data_fetch:congress_daily',
      source: 'quiverquant',
      status: 'succeeded',
      records_fetched: 0,
      metadata: {},
      started_at: time(row),
      created_at: time(row),
    })),
    api_payloads: world.payloads.map((row) => ({
      id: row.id,
      ingestion_run_id: row.run,
      direction: 'response',
      provider: 'alpaca',
      endpoint: '/v2/orders',
      http_method: 'POST',
      payload: { message: row.text ?? 'filled' },
      payload_bytes: 10,
      created_at: time(row),
    })),
    trade_decisions: world.decisions.map((row) => ({
      id: row.id,
      decision_id: `dec-${row.id}`,
      strategy: 'Momentum',
      symbol: 'NVDA',
      side: 'buy',
      quantity: '1',
      order_type: 'market',
      status: 'executed',
      decision_rationale: { reason: row.text ?? 'signal' },
      created_at: time(row),
    })),
    decision_inputs: world.inputs.map((row) => ({ trade_decision_id: row.decision, api_payload_id: row.payload })),
    positions: world.positions.map((row) => ({
      id: row.id,
      account: 'PA-0001',
      symbol: 'NVDA',
      quantity: '1',
      status: 'open',
      opened_at: time(row),
    })),
    trade_executions: world.executions.map((row) => ({
      id: row.id,
      execution_id: `exe-${row.id}`,
      trade_decision_id: row.decision,
      position_id: row.position,
      status: row.text ? 'rejected' : 'filled',
      filled_quantity: '0',
      error_message: row.text,
      api_request_payload_id: row.request,
      api_response_payload_id: row.response,
      created_at: time(row),
    })),
    audit_events: world.events.map((row) => ({
      seq: row.id,
      log_type: 'TRADE',
      event: 'note',
      event_data: {},
      subject_table: row.subject?.table ?? null,
      subject_id: row.subject?.id ?? null,
      actor: 'test',
      occurred_at: time(row),
      recorded_at: time(row),
    })),
    record_corrections: world.corrections.map((row) => ({
      id: row.id,
      subject_table: row.subject.table,
      subject_id: row.subject.id,
      corrected: { note: 'corrected' },
      superseded: { note: 'as written' },
      reason: 'paging',
      actor: 'test',
      corrected_at: time(row),
    })),
    query_audit_log: world.queryAudit.map((row) => ({
      id: row.id,
      request_id: `req-${row.id}`,
      role: 'admin',
      duration_ms: 1,
      outcome: 'ok',
      error_codes: [],
      started_at: time(row),
    })),
  };
}

/**
 * Replaces every lineage and audit table's rows with `world`'s, ids as
 * chosen. `client` must be a session with `session_replication_role =
 * replica`: the triggers that refuse deletes are not what paging tests, and they would stop a case from starting from empty
 * tables with the exact ids it drew.
 */
export async function loadWorld(client: pg.Client, world: World): Promise<void> {
  const byTable = tableRows(world);
  await client.query('begin');
  try {
    for (const table of TABLES) await client.query(`delete from ${table}`);
    for (const table of [...TABLES].reverse()) {
      // The columns the rows give, so that the others (recorded_xid, the legacy chain's hashes) take their defaults.
      const rows = byTable[table];
      if (rows.length === 0) continue;
      const columns = Object.keys(rows[0]!).join(', ');
      await client.query(
        `insert into ${table} (${columns}) select ${columns} from json_populate_recordset(null::${table}, $1::json)`,
        [JSON.stringify(rows)],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
