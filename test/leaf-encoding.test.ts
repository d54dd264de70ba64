import assert from 'node:assert';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isLosslessNumber } from 'lossless-json';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/entities/api-key.entity';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { canonicalJson } from '../src/integrator/canonical-json';
import { signCheckpointIfDue } from '../src/integrator/checkpoint-signer';
import { integrateAll } from '../src/integrator/integrate-all';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { inclusionProof } from '../src/merkle/proofs';
import { verifyBundle } from '../src/verifier/bundle';
import { leafSourceOf, type SourceRow } from '../src/integrator/leaf-sources';
import { parseExactJson, stringifyExactJson } from '../src/json/exact-json';
import { createContext } from '../src/resolvers/context';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { chooser, jsonDocuments, spellJson } from './harness/record-values';

// The leaf of a record is the canonical JSON of the record as the GraphQL API
// answers it (README "Proofs"). Here the record is built from an ANSWER only,
// by the documented mapping, and must equal what the encoder makes of the row.

type Values = Record<string, unknown>;
const admin = keyCaller({ id: '1', name: 'leaf test', role: Role.admin, expiresAt: null }, 'test');
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

/** The answer as an HTTP client parsing numbers exactly (lossless-json) sees it. */
async function answer(query: string, variables: Values = {}): Promise<Values> {
  const response = await gateway.apollo.executeOperation(
    { query, variables },
    { contextValue: createContext(gateway.orm, admin, gateway.settings) },
  );
  assert(response.body.kind === 'single');
  const result = parseExactJson(stringifyExactJson(response.body.singleResult)) as { data: Values; errors?: unknown };
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** A JCS writer of the test's own (not the encoder's), for the hashes the mapping asks for. */
function jcs(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
    return JSON.stringify(value);
  if (isLosslessNumber(value)) return value.toString();
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const object = value as Values;
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${jcs(object[key])}`)
    .join(',')}}`;
}
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const idOf = (node: unknown) => (node == null ? null : (node as { id: string }).id);

/** The documented mapping, per type: the fields asked for, and how the answer becomes the record. */
const NODE_FIELDS = {
  IngestionRun:
    'id runId taskName source recordedStatus recordsFetched errorMessage metadata startedAt finishedAt createdAt',
  ApiPayload:
    'id direction provider endpoint httpMethod httpStatus latencyMs payload payloadBytes correlationId externalId createdAt ingestionRun { id }',
  TradeDecision:
    'id decisionId strategy symbol side quantity orderType limitPrice recordedStatus decisionRationale correlationId createdAt',
  TradeExecution:
    'id executionId brokerOrderId recordedStatus filledQuantity fillPrice commission errorMessage submittedAt filledAt createdAt decision { id } requestPayload { id } responsePayload { id } position { id }',
  Position: 'id account symbol recordedQuantity recordedAvgCost recordedStatus openedAt recordedClosedAt externalId',
};
const RELATIONS = new Set(['ingestionRun', 'decision', 'requestPayload', 'responsePayload', 'position']);

function nodeRecordFromAnswer(type: string, node: Values): Values {
  const record: Values = { type };
  for (const [field, value] of Object.entries(node)) {
    if (field === 'payload') record.payloadSha256 = value === null ? null : sha256(jcs(value));
    else record[field] = RELATIONS.has(field) ? idOf(value) : value;
  }
  return record;
}

const EVENT_FIELDS =
  'seq logType event eventData subjectTable subjectId externalId actor occurredAt recordedAt subject { id }';
const ENTRY_FIELDS =
  'id requestId role clientAddress operationName operationType queryHash variables durationMs outcome errorCodes startedAt key { id }';

/** The encoder's records of `source` for `keys`, by key. */
async function encoded(source: string, keys: string[]): Promise<Map<string, Values>> {
  const leafSource = leafSourceOf(source)!;
  const { rows } = await withClient(gateway.database.url, (client) =>
    client.query<SourceRow>(leafSource.select(leafSource.keyCondition), [keys]),
  );
  return new Map(rows.map((row) => [row.key, leafSource.record(row)]));
}

/** Every node of `type` the API lists (first 100), each compared with the encoder's record of its row. */
async function expectNodesEncodedAsAnswered(type: keyof typeof NODE_FIELDS, list: string): Promise<number> {
  const data = await answer(`{ ${list}(first: 100) { nodes { databaseId ${NODE_FIELDS[type]} } } }`);
  const nodes = (data[list] as { nodes: Values[] }).nodes;
  const records = await encoded(
    tableOf[type],
    nodes.map((node) => node.databaseId as string),
  );
  for (const { databaseId, ...node } of nodes) {
    const expected = nodeRecordFromAnswer(type, node);
    expect(records.get(databaseId as string)).toEqual(expected);
    expect(canonicalJson(records.get(databaseId as string))).toBe(jcs(expected));
  }
  return nodes.length;
}

const tableOf: Record<keyof typeof NODE_FIELDS, string> = {
  IngestionRun: 'data_ingestion_runs',
  ApiPayload: 'api_payloads',
  TradeDecision: 'trade_decisions',
  TradeExecution: 'trade_executions',
  Position: 'positions',
};

const DEEP = `${'{"a":['.repeat(60)}1.50${']}'.repeat(60)}`;
const HOSTILE_TEXT = 'é€𝄞 "q" \\ \n\t\u2028\u2029\u0001\u007f\ufeff\uffff 中文 🧾';
const EXACT_JSON =
  '{"big": 12345678901234567890, "long": 0.1000000000000000055511151231257827, "huge": 1e400, ' +
  `"one": 1.0, "small": 1e-7, "neg": -0, "plain": 0.83, "text": ${JSON.stringify(HOSTILE_TEXT)}, "deep": ${DEEP}}`;

/** One lineage written as a producer's SQL would, with values at the edges of what the columns hold. */
async function seedHostileLineage(): Promise<void> {
  await withClient(gateway.database.url, async (client) => {
    await client.query(
      `
      insert into data_ingestion_runs (id, run_id, task_name, source, status, records_fetched, error_message, metadata,
                                       started_at, finished_at, created_at)
        values (9001, $1, $2, 'quiver', 'running', 2147483647, null, $3, '0001-01-01 00:00:00+00',
                '9999-12-31 23:59:59.999999+00', '2026-03-31 14:30:00.000001+00')`,
      [`run ${HOSTILE_TEXT}`, HOSTILE_TEXT, EXACT_JSON],
    );
    await client.query(
      `
      insert into api_payloads (id, ingestion_run_id, direction, provider, endpoint, http_method, http_status,
                                latency_ms, payload, payload_bytes, correlation_id, external_id, created_at)
        values (9101, 9001, 'response', 'quiver', $1, 'GET', 599, 0, $2, 2147483647, $1, 'p-9101', '1970-01-01 00:00:00+00'),
               (9102, null, 'request', 'alpaca', '/v2/orders', 'POST', null, null, null, 0, null, null, now()),
               (9103, null, 'response', 'alpaca', '/v2/orders', 'POST', 201, 5, '[1, "x", null, true, 1E+2]', 7, null, null, now())`,
      [HOSTILE_TEXT, EXACT_JSON],
    );
    await client.query(
      `
      insert into trade_decisions (id, decision_id, strategy, symbol, side, quantity, order_type, limit_price, status,
                                   decision_rationale, correlation_id, created_at)
        values (9201, $1, $2, 'NVDA', 'sell', 999999999999.99999999, 'limit', 0.00000001, 'pending', $3, null,
                '9999-12-31 23:59:59.999999+00')`,
      [`dec ${HOSTILE_TEXT}`, HOSTILE_TEXT, EXACT_JSON],
    );
    await client.query(`insert into decision_inputs (trade_decision_id, api_payload_id) values (9201, 9101)`);
    await client.query(`
      insert into positions (id, account, symbol, quantity, avg_cost, status, opened_at, closed_at, external_id)
        values (9301, 'PA-1', 'NVDA', -999999999999.99999999, null, 'open', '0001-01-01 00:00:00.000001+00', null, 'pos')`);
    await client.query(
      `
      insert into trade_executions (id, execution_id, trade_decision_id, position_id, broker_order_id, status,
                                    filled_quantity, fill_price, commission, error_message, api_request_payload_id,
                                    api_response_payload_id, submitted_at, filled_at, created_at)
        values (9401, 'exe-9401', 9201, 9301, null, 'submitted', 5, 187.25, null, $1, 9102, 9103,
                '2026-03-31 14:30:00.5+05:30', null, now()),
               (9402, 'exe-9402', null, null, 'o', 'rejected', 0, null, 0.00000001, null, null, null, null, null, now())`,
      [HOSTILE_TEXT],
    );
    // Status changes, so a lifecycle's status (derived) and recordedStatus (as written) differ.
    await client.query(
      `
      insert into audit_events (log_type, event, event_data, subject_table, subject_id, external_id, actor, occurred_at)
        values ('TRADE', 'status_changed', '{"from": "pending", "to": "executed"}', 'trade_decisions', 9201, null, 'x',
                '2026-04-01 00:00:00+00'),
               ('TRADE', 'status_changed', '{"to": "filled"}', 'trade_executions', 9401, 'ev-1', $1, now()),
               ('COMPLIANCE', $1, $2, 'decision_inputs', 9201, null, 'y', '0001-01-01 00:00:00+00'),
               ('NAV', 'nav', '{}', null, null, null, 'z', '9999-12-31 23:59:59.999999+00')`,
      [HOSTILE_TEXT, EXACT_JSON],
    );
    // A writer transaction of two entries (one batch leaf) and one of its own.
    await client.query('begin');
    await client.query(
      `
      insert into query_audit_log (request_id, role, client_address, operation_name, operation_type, query_hash,
                                   variables, duration_ms, outcome, error_codes, started_at)
        values ('r1', 'anonymous', '::1', $1, 'query', 'ab', $2, 0.00001, 'rate_limited', '{A,"b c"}', now()),
               ('r2', 'admin', null, null, null, null, null, 123456.789, 'ok', '{}', '0001-01-01 00:00:00+00')`,
      [HOSTILE_TEXT, EXACT_JSON],
    );
    await client.query('commit');
    await client.query(`
      insert into query_audit_log (request_id, role, duration_ms, outcome, started_at)
        values ('r3', 'writer', 1e300, 'error', now())`);
  });
}

describe('a leaf is the record as the API answers it', () => {
  beforeAll(seedHostileLineage);

  test.each([
    ['IngestionRun', 'ingestionRuns', 1],
    ['ApiPayload', 'apiPayloads', 3],
    ['TradeDecision', 'decisions', 1],
    ['TradeExecution', 'executions', 2],
    ['Position', 'positions', 1],
  ] as const)('%s', async (type, list, count) => {
    expect(await expectNodesEncodedAsAnswered(type, list)).toBe(count);
  });

  test('the answer and the leaf differ where the API derives a value, and the leaf holds what was written', async () => {
    const data = await answer('{ decision(id: "VHJhZGVEZWNpc2lvbjo5MjAx") { status recordedStatus } }');
    expect(data.decision).toEqual({ status: 'executed', recordedStatus: 'pending' });
    const [record] = (await encoded('trade_decisions', ['9201'])).values();
    expect(record).toMatchObject({ recordedStatus: 'pending' });
    expect(record).not.toHaveProperty('status');
  });

  test('decision inputs', async () => {
    const data = await answer('{ decisions(first: 100) { nodes { id inputs { nodes { id } } } } }');
    const expected = (data.decisions as { nodes: { id: string; inputs: { nodes: { id: string }[] } }[] }).nodes.flatMap(
      (decision) =>
        decision.inputs.nodes.map((payload) => ({ type: 'DecisionInput', decision: decision.id, payload: payload.id })),
    );
    expect(expected).toHaveLength(1);
    expect([...(await encoded('decision_inputs', ['9201:9101'])).values()]).toEqual(expected);
  });

  test('audit events', async () => {
    const data = await answer(`{ auditEvents(first: 100) { nodes { ${EVENT_FIELDS} } } }`);
    const events = (data.auditEvents as { nodes: Values[] }).nodes;
    const records = await encoded(
      'audit_events',
      events.map((event) => event.seq as string),
    );
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const event of events) {
      const expected = { type: 'AuditEvent', ...event, subject: idOf(event.subject) };
      expect(records.get(event.seq as string)).toEqual(expected);
      expect(canonicalJson(records.get(event.seq as string))).toBe(jcs(expected));
    }
  });

  test('query audit batches: one leaf per writer transaction, the hashes of its entries in id order', async () => {
    const data = await answer(`{ queryAuditLog(first: 100) { nodes { ${ENTRY_FIELDS} } } }`);
    const entries = (data.queryAuditLog as { nodes: Values[] }).nodes.filter((entry) =>
      ['r1', 'r2', 'r3'].includes(entry.requestId as string),
    );
    const hashOf = (requestId: string) => {
      const { key, ...entry } = entries.find((candidate) => candidate.requestId === requestId)!;
      return sha256(jcs({ type: 'QueryAuditEntry', ...entry, key: idOf(key) }));
    };
    const { rows } = await withClient(gateway.database.url, (client) =>
      client.query<{ xid: string }>(
        `select recorded_xid::text as xid from query_audit_log where request_id in ('r1', 'r3') order by id`,
      ),
    );
    const batches = await encoded(
      'query_audit_log',
      rows.map((row) => row.xid),
    );
    expect(batches.get(rows[0]!.xid)).toEqual({ type: 'QueryAuditBatch', entries: [hashOf('r1'), hashOf('r2')] });
    expect(batches.get(rows[1]!.xid)).toEqual({ type: 'QueryAuditBatch', entries: [hashOf('r3')] });
  });

  test('every hostile record, rebuilt from its answer, verifies offline in a bundle against a signed checkpoint', async () => {
    // The prover's encoding and the offline verifier's (which shares only the hash definitions) must agree.
    const key = generateNoteKey('leaf-test');
    await integrateAll(gateway.database.url, async (connection) => {
      await signCheckpointIfDue(connection, {
        signer: parseSignerKey(key.signerKey),
        origin: 'leaf-test',
        intervalS: 0,
      });
    });
    const records: { source: string; key: string; record: Values }[] = [];
    for (const [type, list] of Object.entries({
      IngestionRun: 'ingestionRuns',
      ApiPayload: 'apiPayloads',
      TradeDecision: 'decisions',
      TradeExecution: 'executions',
      Position: 'positions',
    })) {
      const data = await answer(
        `{ ${list}(first: 100) { nodes { databaseId ${NODE_FIELDS[type as keyof typeof NODE_FIELDS]} } } }`,
      );
      for (const { databaseId, ...node } of (data[list] as { nodes: Values[] }).nodes)
        records.push({
          source: tableOf[type as keyof typeof tableOf],
          key: databaseId as string,
          record: nodeRecordFromAnswer(type, node),
        });
    }
    const events = (await answer(`{ auditEvents(first: 100) { nodes { ${EVENT_FIELDS} } } }`)).auditEvents as {
      nodes: Values[];
    };
    for (const event of events.nodes)
      records.push({
        source: 'audit_events',
        key: event.seq as string,
        record: { type: 'AuditEvent', ...event, subject: idOf(event.subject) },
      });
    const bundle = await withClient(gateway.database.url, async (client) => {
      const {
        rows: [checkpoint],
      } = await client.query<{ tree_size: string; note: string }>(
        'select tree_size::text, note from merkle_checkpoints order by tree_size desc limit 1',
      );
      const size = Number(checkpoint!.tree_size);
      const entries = [];
      for (const { source, key: recordKey, record } of records) {
        const { rows } = await client.query<{ leaf_index: string }>(
          'select leaf_index::text from merkle_leaves where source = $1 and record_key = $2',
          [source, recordKey],
        );
        const leafIndex = Number(rows[0]!.leaf_index);
        const proof = await inclusionProof(pgHashStore(client), leafIndex, size);
        entries.push({ record, leafIndex, inclusionProof: proof.map((hash) => hash.toString('base64')) });
      }
      return { format: 'auditgraph-proof-bundle/v1', checkpoint: checkpoint!.note, entries };
    });
    expect(bundle.entries.length).toBeGreaterThanOrEqual(12);
    const result = verifyBundle(stringifyExactJson(bundle), [key.verifierKey]);
    expect(result.entries.filter((entry) => !entry.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // And a record changed by one character no longer verifies.
    const changed = structuredClone(bundle);
    (changed.entries[0]!.record as Values).runId = `${String((changed.entries[0]!.record as Values).runId)}x`;
    expect(verifyBundle(stringifyExactJson(changed), [key.verifierKey]).ok).toBe(false);
  });
});

test('a lone surrogate cannot be stored, so no leaf has to encode one', async () => {
  await withClient(gateway.database.url, async (client) => {
    await expect(client.query(`select '"\\ud800"'::jsonb`)).rejects.toThrow(/invalid input syntax for type json/);
    // Text is UTF-8 on the wire: the driver sends a lone surrogate as U+FFFD, which is what is stored and answered.
    const { rows } = await client.query<{ text: string }>('select $1::text as text', ['a\ud800b']);
    expect(rows[0]!.text).toBe('a\ufffdb');
  });
});

describe('for any text, JSON and decimal a decision holds', () => {
  const texts = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !text.includes('\u0000'));
  let id = 20_000;

  test('its leaf record equals the record built from its answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts,
        jsonDocuments,
        fc.integer(),
        fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }),
        async (text, rationale, seed, units) => {
          const decisionId = `${text}-${++id}`;
          const quantity = `${units / 10n ** 8n}.${(units % 10n ** 8n).toString().padStart(8, '0')}`;
          await withClient(gateway.database.url, (client) =>
            client.query(
              `insert into trade_decisions (id, decision_id, strategy, symbol, side, quantity, order_type, status,
                                            decision_rationale)
                 values ($1, $2, $3, 'X', 'buy', $4, 'market', 'pending', $5)`,
              [id, decisionId, text, quantity, spellJson(rationale, chooser(seed))],
            ),
          );
          const data = await answer(
            `query ($id: String!) { decision(decisionId: $id) { ${NODE_FIELDS.TradeDecision} } }`,
            {
              id: decisionId,
            },
          );
          const [record] = (await encoded('trade_decisions', [String(id)])).values();
          expect(record).toEqual(nodeRecordFromAnswer('TradeDecision', data.decision as Values));
          expect(canonicalJson(record)).toBe(jcs(nodeRecordFromAnswer('TradeDecision', data.decision as Values)));
        },
      ),
      { numRuns: 40 },
    );
  });
});
