import assert from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Role } from '../src/auth/roles';
import { leafHash } from '../src/merkle/tree-hash';
import { canonicalJson, parseExactJson } from '../src/verifier/canonical-json';
import { readCheckpoint } from '../src/verifier/checkpoint';
import { verifyConsistency, verifyInclusion } from '../src/verifier/merkle-proofs';
import { readVerifierKey, verifyNote } from '../src/verifier/note';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startHttpTestGateway, type HttpTestGateway } from './harness/http-gateway';
import { createLogKey, integrateAndSign, type LogKey } from './harness/proof-log';

// The outsider: someone with an investigator's key and the log's
// public key asks the GraphQL API over HTTP for a record with the documented
// fields (README "Proofs") and for its inclusion proof and the checkpoint,
// rebuilds the record from the answer alone by the documented mapping, and
// verifies it with src/verifier — whose only shared code with the prover is
// the hash definitions (src/merkle/tree-hash.ts). Nothing else of src/ is on
// the verification path below.

type Values = Record<string, unknown>;
let gateway: HttpTestGateway;
let secret: string;
let key: LogKey;
let folder: string;
let trade: TradeFixture;

/** The documented fields of each record type; relations answer `{ id }`. */
const FIELDS: Record<string, string> = {
  IngestionRun:
    'id runId taskName source recordedStatus recordsFetched errorMessage metadata startedAt finishedAt createdAt',
  ApiPayload:
    'id direction provider endpoint httpMethod httpStatus latencyMs payload payloadBytes correlationId externalId createdAt ingestionRun { id }',
  TradeDecision:
    'id decisionId strategy symbol side quantity orderType limitPrice recordedStatus decisionRationale correlationId createdAt',
  TradeExecution:
    'id executionId brokerOrderId recordedStatus filledQuantity fillPrice commission errorMessage submittedAt filledAt createdAt decision { id } requestPayload { id } responsePayload { id } position { id }',
  Position: 'id account symbol recordedQuantity recordedAvgCost recordedStatus openedAt recordedClosedAt externalId',
  AuditEvent:
    'seq logType event eventData subjectTable subjectId externalId actor occurredAt recordedAt subject { id }',
};
const RELATIONS = new Set(['ingestionRun', 'decision', 'requestPayload', 'responsePayload', 'position', 'subject']);
const PROOF_FIELDS = 'leafIndex treeSize leafHash hashes record checkpoint { treeSize note }';

/** The documented mapping: the answer's fields, relations as their ids, a payload body as the SHA-256 of its JCS. */
function recordOf(type: string, answer: Values): Values {
  const record: Values = { type };
  for (const [field, value] of Object.entries(answer)) {
    if (field === 'leafIndex' || field === 'leafHash' || (type === 'AuditEvent' && field === 'id')) continue;
    if (field === 'payload')
      record.payloadSha256 =
        value === null ? null : createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
    else record[field] = RELATIONS.has(field) ? ((value as { id: string } | null)?.id ?? null) : value;
  }
  return record;
}

/** An HTTP answer parsed exactly, as an outsider's lossless-json client does. */
async function ask(query: string, variables: Values = {}, as = secret): Promise<{ data: Values; errors?: Values[] }> {
  const answer = await gateway.post({ query, variables }, { secret: as });
  return parseExactJson(answer.text) as { data: Values; errors?: Values[] };
}

/** The outsider's whole check of one record's answer: checkpoint signature, leaf, inclusion. */
function verifyAnswer(type: string, answer: Values, proof: Values): void {
  const { text } = verifyNote((proof.checkpoint as { note: string }).note, [readVerifierKey(key.verifierKey)]);
  const checkpoint = readCheckpoint(text);
  const record = recordOf(type, answer);
  const leaf = leafHash(Buffer.from(canonicalJson(record), 'utf8'));
  expect(proof.record).toBe(canonicalJson(record));
  expect(leaf.toString('base64')).toBe(proof.leafHash);
  expect(answer.leafHash).toBe(proof.leafHash);
  expect(String(answer.leafIndex)).toBe(String(proof.leafIndex));
  expect(String(proof.treeSize)).toBe(String(checkpoint.size));
  const path = (proof.hashes as string[]).map((hash) => Buffer.from(hash, 'base64'));
  expect(() =>
    verifyInclusion(BigInt(String(proof.leafIndex)), BigInt(checkpoint.size), leaf, path, checkpoint.rootHash),
  ).not.toThrow();
  // And the verification can fail: the same proof does not prove a record changed by one character.
  const changed = leafHash(Buffer.from(canonicalJson({ ...record, type: `${type}.` }), 'utf8'));
  expect(() =>
    verifyInclusion(BigInt(String(proof.leafIndex)), BigInt(checkpoint.size), changed, path, checkpoint.rootHash),
  ).toThrow();
}

beforeAll(async () => {
  gateway = await startHttpTestGateway();
  secret = await gateway.keyFor(Role.investigator);
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-outsider-'));
  key = await createLogKey(folder);
  trade = await createTrade(gateway.writer.em.fork(), { executionCount: 2, inputCount: 2 });
  await appendStatusChange(gateway.database.url, { table: 'trade_decisions', id: trade.decision.id, to: 'executed' });
  await integrateAndSign(gateway.database.url, key);
});
afterAll(async () => {
  await gateway.close();
  await rm(folder, { recursive: true, force: true });
});

describe('an outsider verifies what the API answered, with the verifier alone', () => {
  test.each(['TradeDecision', 'ApiPayload', 'TradeExecution', 'Position', 'IngestionRun'])('a %s', async (type) => {
    const ids: Record<string, string> = {
      TradeDecision: trade.decision.nodeId,
      ApiPayload: trade.inputs[0]!.nodeId,
      TradeExecution: trade.executions[1]!.nodeId,
      Position: trade.position.nodeId,
      IngestionRun: trade.run.nodeId,
    };
    const { data, errors } = await ask(
      `query ($id: ID!) {
         node(id: $id) { ... on ${type} { ${FIELDS[type]} leafIndex leafHash } }
         inclusionProof(id: $id) { ${PROOF_FIELDS} }
         checkpoint { treeSize note }
       }`,
      { id: ids[type] },
    );
    expect(errors).toBeUndefined();
    expect((data.checkpoint as Values).note).toBe(
      (data.inclusionProof as Values & { checkpoint: Values }).checkpoint.note,
    );
    verifyAnswer(type, data.node as Values, data.inclusionProof as Values);
  });

  test('an audit event', async () => {
    const { data } = await ask(`{ auditEvents(first: 5) { nodes { id ${FIELDS.AuditEvent} leafIndex leafHash } } }`);
    const [event] = (data.auditEvents as { nodes: Values[] }).nodes;
    assert(event);
    expect(event.event).toBe('status_changed');
    const answer = await ask(`query ($id: ID!) { inclusionProof(id: $id) { ${PROOF_FIELDS} } }`, { id: event.id });
    expect(answer.errors).toBeUndefined();
    verifyAnswer('AuditEvent', event, answer.data.inclusionProof as Values);
  });

  test('a later checkpoint is consistent with the earlier one; checkpointAt finds the checkpoint of a time', async () => {
    await createTrade(gateway.writer.em.fork(), { executionCount: 1, symbol: 'LATER' });
    await integrateAndSign(gateway.database.url, key);
    const { data } = await ask('{ checkpoints(first: 2) { treeSize rootHash time note } }');
    const [newer, older] = (data.checkpoints as Values[]).map((answer) => {
      const { text } = verifyNote(answer.note as string, [readVerifierKey(key.verifierKey)]);
      return { answer, checkpoint: readCheckpoint(text) };
    });
    assert(newer && older);
    expect(newer.checkpoint.size).toBeGreaterThan(older.checkpoint.size);
    const { data: consistency } = await ask(
      `query ($from: SafeInt!, $to: SafeInt!) { consistencyProof(from: $from, to: $to) { hashes fromRoot toRoot } }`,
      { from: older.checkpoint.size, to: newer.checkpoint.size },
    );
    const proof = consistency.consistencyProof as { hashes: string[]; fromRoot: string; toRoot: string };
    expect([proof.fromRoot, proof.toRoot]).toEqual([older.checkpoint.root, newer.checkpoint.root]);
    const hashes = proof.hashes.map((hash) => Buffer.from(hash, 'base64'));
    const [from, to] = [BigInt(older.checkpoint.size), BigInt(newer.checkpoint.size)];
    expect(() =>
      verifyConsistency(from, to, older.checkpoint.rootHash, newer.checkpoint.rootHash, hashes),
    ).not.toThrow();
    expect(() => verifyConsistency(from, to, newer.checkpoint.rootHash, older.checkpoint.rootHash, hashes)).toThrow();

    const at = async (time: string) =>
      (
        (await ask('query ($t: DateTime!) { checkpointAt(time: $t) { treeSize } }', { t: time })).data
          .checkpointAt as Values | null
      )?.treeSize;
    expect(String(await at(older.checkpoint.time))).toBe(String(older.checkpoint.size));
    expect(String(await at(newer.checkpoint.time))).toBe(String(newer.checkpoint.size));
    expect(String(await at('9999-12-31T23:59:59.999999Z'))).toBe(String(newer.checkpoint.size));
    expect(await at('2000-01-01T00:00:00Z')).toBeUndefined();
    const { data: page } = await ask('query ($after: SafeInt!) { checkpoints(first: 5, after: $after) { treeSize } }', {
      after: newer.checkpoint.size,
    });
    expect((page.checkpoints as Values[]).map((checkpoint) => String(checkpoint.treeSize))[0]).toBe(
      String(older.checkpoint.size),
    );
  });

  test('a writer key may not read proofs; an investigator may', async () => {
    const writer = await gateway.keyFor(Role.writer);
    const refused = await ask('{ checkpoint { treeSize } }', {}, writer);
    expect(refused.errors?.map((error) => (error.extensions as Values).code)).toEqual(['FORBIDDEN']);
  });
});
