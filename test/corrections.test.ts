import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyCaller } from '../src/auth/caller';
import { CORRECTABLE_FIELDS, triggerFieldsOf } from '../src/corrections/correctable-fields';
import { Role } from '../src/entities/api-key.entity';
import { CORRECTABLE_TABLES } from '../src/entities/record-correction.entity';
import { canonicalBytes } from '../src/integrator/canonical-json';
import { integrateAll } from '../src/integrator/integrate-all';
import { leafSourceOf, type SourceRow } from '../src/integrator/leaf-sources';
import { pgHashStore } from '../src/integrator/pg-hash-store';
import { parseGlobalId, toGlobalId } from '../src/graphql/global-id';
import { NODE_TYPE_NAMES, tableOf } from '../src/lineage/node-types';
import { inclusionProof, rootAt } from '../src/merkle/proofs';
import { leafHash } from '../src/merkle/tree-hash';
import { verifyInclusion } from '../src/verifier/merkle-proofs';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { signCheckpointIfDue } from '../src/integrator/checkpoint-signer';
import { proofBundle } from '../src/proof/proof-bundle';
import { verifyBundle } from '../src/verifier/bundle';
import { runCli } from './harness/cli';
import { createTrade, type TradeFixture } from './harness/fixtures';
import { cliEnv } from './harness/tree-drills';
import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';

const writer = keyCaller({ id: '1', name: 'corrections test', role: Role.writer, expiresAt: null }, 'test');
const reader = keyCaller({ id: '2', name: 'corrections reader', role: Role.investigator, expiresAt: null }, 'test');

const CORRECT = `mutation($id: ID!, $fields: JSONObject!, $reason: String!) {
  correctRecord(id: $id, fields: $fields, reason: $reason) { id corrected superseded reason actor correctedAt }
}`;

let gateway: TestGateway;
let strategy = 0;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

const gid = (type: string, id: string) => toGlobalId(type, id);
/** A correction's row id, from the global id the API answers. */
const rowIdOf = (id: string) => {
  const parsed = parseGlobalId(id);
  expect(parsed?.typeName).toBe('RecordCorrection');
  return parsed!.databaseId;
};
const correct = (id: string, fields: Record<string, unknown>, reason = 'broker sent a corrected fill') =>
  gateway.execute(CORRECT, { id, fields, reason }, writer);
const read = (query: string, variables: Record<string, unknown> = {}) => gateway.execute(query, variables, reader);
const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
  withClient(gateway.database.url, async (client) => (await client.query<T>(text, values)).rows);

async function trade(): Promise<TradeFixture & { strategy: string }> {
  const name = `CorrectionStrategy${++strategy}`;
  const fixture = await createTrade(gateway.orm.em.fork(), {
    executionCount: 1,
    strategy: name,
    adjust: (made) => {
      made.decision.limitPrice = '186.00000000';
    },
  });
  return { ...fixture, strategy: name };
}

/** The leaf the encoder makes of a record now (its original content), and its hash. */
async function leafOf(source: string, key: string) {
  const leafSource = leafSourceOf(source)!;
  const [row] = await withClient(
    gateway.database.url,
    async (client) => (await client.query<SourceRow>(leafSource.select(leafSource.keyCondition), [[key]])).rows,
  );
  return leafSource.record(row!);
}

describe('corrections are records too', () => {
  it('the correctable fields are what each table trigger was given', async () => {
    expect([...CORRECTABLE_TABLES].sort()).toEqual(NODE_TYPE_NAMES.map(tableOf).sort());
    const rows = await sql<{ table: string; argument: string }>(
      `select c.relname as table, encode(t.tgargs, 'escape') as argument from pg_trigger t join pg_class c on c.oid = t.tgrelid
        where t.tgname like '%\\_correction\\_only'`,
    );
    const installed = Object.fromEntries(
      rows.map((row) => [row.table, JSON.parse(row.argument.replace(/\\000$/, ''))]),
    );
    expect(installed).toEqual(
      Object.fromEntries(NODE_TYPE_NAMES.map((type) => [tableOf(type), triggerFieldsOf(type)])),
    );
    for (const type of NODE_TYPE_NAMES)
      for (const fixed of ['id', 'createdAt', 'recordedStatus', 'status', 'payload', NODE_TYPES_KEY[type]])
        expect(CORRECTABLE_FIELDS.get(type)!.has(fixed)).toBe(false);
  });

  it('a corrected fill price: the execution, provenance, the report and an aggregate answer it; the original leaf stays', async () => {
    const fixture = await trade();
    const execution = fixture.executions[0]!;
    const executionId = gid('TradeExecution', execution.id);
    await integrateAll(gateway.database.url);
    const [before] = await sql<{ leaf_index: string; leaf_hash: Buffer }>(
      `select leaf_index::text, leaf_hash from merkle_leaves where source = 'trade_executions' and record_key = $1`,
      [execution.id],
    );
    const original = await leafOf('trade_executions', execution.id);

    const result = await correct(executionId, { fillPrice: '188.25' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.correctRecord).toMatchObject({
      corrected: { fillPrice: '188.25000000' },
      superseded: { fillPrice: '187.25000000' },
      actor: 'corrections test',
    });

    const answered = await read(
      `query($id: ID!) { execution(id: $id) { fillPrice corrections { totalCount nodes { id corrected superseded reason actor subject { id } } } } }`,
      { id: executionId },
    );
    expect(answered.data!.execution).toEqual({
      fillPrice: '188.25000000',
      corrections: {
        totalCount: 1,
        nodes: [
          {
            id: result.data!.correctRecord.id,
            corrected: { fillPrice: '188.25000000' },
            superseded: { fillPrice: '187.25000000' },
            reason: 'broker sent a corrected fill',
            actor: 'corrections test',
            subject: { id: executionId },
          },
        ],
      },
    });
    const provenance = await read(
      `query($id: ID!) { position(id: $id) { executions { nodes { fillPrice corrections { nodes { corrected } } } } } }`,
      { id: gid('Position', fixture.position.id) },
    );
    expect(provenance.data!.position.executions.nodes).toEqual([
      { fillPrice: '188.25000000', corrections: { nodes: [{ corrected: { fillPrice: '188.25000000' } }] } },
    ]);
    const report = await read(`{ executionQuality(from: "2026-10-01", to: "2026-10-01") { strategy slippageCost } }`);
    // A buy of 10.5 at 188.25 against a limit of 186: 2.25 × 10.5.
    expect(
      report.data!.executionQuality.find((row: { strategy: string }) => row.strategy === fixture.strategy),
    ).toEqual({ strategy: fixture.strategy, slippageCost: '23.625' });
    const aggregate = await read(`{ executionsAggregate(groupBy: [STRATEGY]) { keys { strategy } notional { sum } } }`);
    expect(
      aggregate.data!.executionsAggregate.find(
        (group: { keys: { strategy: string } }) => group.keys.strategy === fixture.strategy,
      ).notional.sum,
    ).toMatch(/^1976\.625/);
    const events = await sql<{ event: string; event_data: unknown }>(
      `select event, event_data from audit_events where subject_table = 'trade_executions' and subject_id = $1 and event = 'record_corrected'`,
      [execution.id],
    );
    expect(events).toEqual([
      { event: 'record_corrected', event_data: { correction: result.data!.correctRecord.id, fields: ['fillPrice'] } },
    ]);

    // The original stays provable: re-encoding gives the original leaf, which an inclusion proof verifies.
    const reencoded = await leafOf('trade_executions', execution.id);
    expect(reencoded).toEqual(original);
    expect(reencoded.fillPrice).toBe('187.25000000');
    const summary = await integrateAll(gateway.database.url);
    expect(summary).toBeDefined();
    await withClient(gateway.database.url, async (client) => {
      const store = pgHashStore(client);
      const [{ size }] = (
        await client.query<{ size: string }>(`select tree_size::text as size from merkle_integration`)
      ).rows as [{ size: string }];
      const hash = leafHash(canonicalBytes(reencoded));
      expect(hash.equals(before!.leaf_hash)).toBe(true);
      const proof = await inclusionProof(store, Number(before!.leaf_index), Number(size));
      const root = await rootAt(store, Number(size));
      expect(() => verifyInclusion(BigInt(before!.leaf_index), BigInt(size), hash, proof, root)).not.toThrow();
      const corrected = leafHash(canonicalBytes({ ...reencoded, fillPrice: '188.25000000' }));
      expect(() => verifyInclusion(BigInt(before!.leaf_index), BigInt(size), corrected, proof, root)).toThrow(
        'leads to another root',
      );
    });
    // The correction is a leaf of its own.
    const correctionLeaf = await leafOf('record_corrections', rowIdOf(result.data!.correctRecord.id));
    expect(correctionLeaf).toMatchObject({
      type: 'RecordCorrection',
      id: result.data!.correctRecord.id,
      subject: executionId,
      corrected: { fillPrice: '188.25000000' },
      superseded: { fillPrice: '187.25000000' },
    });
    const [leaf] = await sql(`select 1 from merkle_leaves where source = 'record_corrections' and record_key = $1`, [
      rowIdOf(result.data!.correctRecord.id),
    ]);
    expect(leaf).toBeDefined();
  });
});

describe('a corrected link: lineage follows it', () => {
  it("an execution booked on the wrong position: both positions' lineage and lists follow the correction", async () => {
    const wrong = await trade();
    const right = await trade();
    const execution = gid('TradeExecution', wrong.executions[0]!.id);
    const [wrongId, rightId] = [gid('Position', wrong.position.id), gid('Position', right.position.id)];
    const result = await correct(execution, { position: rightId }, 'booked on the wrong position');
    expect(result.errors).toBeUndefined();
    expect(result.data!.correctRecord).toMatchObject({
      corrected: { position: rightId },
      superseded: { position: wrongId },
    });
    const upstream = async (id: string) => {
      const answer = await read(
        `query($id: ID!) { lineage(from: $id, direction: UPSTREAM, depth: 1) { nodes { id } } position(id: $id) { executions { nodes { id } } } }`,
        { id },
      );
      expect(answer.errors).toBeUndefined();
      return {
        lineage: answer.data!.lineage.nodes.map((node: { id: string }) => node.id),
        executions: answer.data!.position.executions.nodes.map((node: { id: string }) => node.id),
      };
    };
    const fromWrong = await upstream(wrongId);
    expect(fromWrong.lineage).not.toContain(execution);
    expect(fromWrong.executions).toEqual([]);
    const fromRight = await upstream(rightId);
    expect(fromRight.lineage).toContain(execution);
    expect(fromRight.executions).toContain(execution);
    // Corrected before its first integration: its leaf is still its original content.
    await integrateAll(gateway.database.url);
    expect((await leafOf('trade_executions', wrong.executions[0]!.id)).position).toBe(wrongId);
  });
});

describe('the database lets an UPDATE through only for a correction of its transaction', () => {
  const attempt = async (statements: [string, unknown[]?][]) =>
    withClient(gateway.database.url, async (client) => {
      await client.query('begin');
      try {
        for (const [text, values] of statements) await client.query(text, values);
        await client.query('commit');
        return null;
      } catch (error) {
        await client.query('rollback');
        return error as { code: string; message: string };
      }
    });
  const correction = (id: string, corrected: object, superseded: object) =>
    [
      `insert into record_corrections (subject_table, subject_id, corrected, superseded, reason, actor)
       values ('trade_executions', $1, $2, $3, 'test', 'test')`,
      [id, corrected, superseded],
    ] as [string, unknown[]];
  const named = `select set_config('auditgraph.correction', (select max(id)::text from record_corrections), true)`;

  it('an UPDATE without a correction is refused (SQLSTATE 42501), and so is one that is not what its correction says', async () => {
    const { executions } = await trade();
    const id = executions[0]!.id;
    const update = (set: string) => [`update trade_executions set ${set} where id = $1`, [id]] as [string, unknown[]];
    expect(await attempt([update('fill_price = 1')])).toMatchObject({
      code: '42501',
      message: 'trade_executions is append-only: UPDATE refused',
    });
    // A correction whose superseded value is not the row's.
    expect(
      await attempt([correction(id, { fillPrice: '2' }, { fillPrice: '1' }), [named], update('fill_price = 2')]),
    ).toMatchObject({
      code: '42501',
      message: expect.stringMatching(/fillPrice of trade_executions row \d+ was not "1"/),
    });
    // One that changes a column it does not correct.
    expect(
      await attempt([
        correction(id, { fillPrice: '2' }, { fillPrice: '187.25000000' }),
        [named],
        update('fill_price = 2, commission = 5'),
      ]),
    ).toMatchObject({
      code: '42501',
      message: expect.stringMatching(/column commission of trade_executions is not one it corrects/),
    });
    // One of a field that is not correctable (the status, the external key).
    expect(
      await attempt([
        correction(id, { executionId: 'x' }, { executionId: executions[0]!.executionId }),
        [named],
        update(`execution_id = 'x'`),
      ]),
    ).toMatchObject({
      code: '42501',
      message: expect.stringMatching(/executionId of trade_executions is not correctable/),
    });
    // A correction committed earlier, named again by a later transaction.
    expect(await attempt([correction(id, { fillPrice: '2' }, { fillPrice: '187.25000000' })])).toBeNull();
    expect(await attempt([[named], update('fill_price = 2')])).toMatchObject({
      code: '42501',
      message: 'trade_executions is append-only: UPDATE refused',
    });
    // And the one that matches goes through.
    expect(
      await attempt([
        correction(id, { fillPrice: '2' }, { fillPrice: '187.25000000' }),
        [named],
        update('fill_price = 2'),
      ]),
    ).toBeNull();
    expect(await attempt([[`delete from trade_executions where id = $1`, [id]]])).toMatchObject({ code: '42501' });
    expect(await attempt([[`update record_corrections set reason = 'x'`]])).toMatchObject({ code: '42501' });
  });
});

describe('verify: corrected records still verify, as their original content', () => {
  it('verify and verify --full are intact after corrections (their leaves re-encoded from the originals)', async () => {
    await integrateAll(gateway.database.url);
    for (const args of [[], ['--full']]) {
      const result = await runCli(['verify', ...args, '--format', 'json'], cliEnv(gateway.database.url));
      expect({ code: result.code, breaks: JSON.parse(result.stdout).breaks }).toEqual({ code: 0, breaks: [] });
    }
  });
});

describe('prove: a corrected record comes with its corrections', () => {
  it("the bundle holds the record's original content and each correction of it, and verifies offline", async () => {
    const { executions } = await trade();
    const id = executions[0]!.id;
    const first = await correct(gid('TradeExecution', id), { commission: '0.02' });
    const second = await correct(gid('TradeExecution', id), { commission: '0.03', fillPrice: '190' });
    expect([first.errors, second.errors]).toEqual([undefined, undefined]);
    const key = generateNoteKey('corrections-test');
    await integrateAll(gateway.database.url, async (connection) => {
      await signCheckpointIfDue(connection, {
        signer: parseSignerKey(key.signerKey),
        origin: 'corrections-test',
        intervalS: 0,
      });
    });
    const bundle = await withClient(gateway.database.url, (client) =>
      proofBundle(client, [{ source: 'trade_executions', key: id }], null),
    );
    const records = bundle.proofs.map((proof) => proof.record);
    expect(records.map((record) => record.type)).toEqual(['TradeExecution', 'RecordCorrection', 'RecordCorrection']);
    expect(records[0]).toMatchObject({ commission: '0.01000000', fillPrice: '187.25000000' });
    expect(records.slice(1).map((record) => record.id)).toEqual([
      first.data!.correctRecord.id,
      second.data!.correctRecord.id,
    ]);
    expect(bundle.proofs.every((proof) => proof.matchesLeaf)).toBe(true);
    expect(verifyBundle(bundle.text, [key.verifierKey]).entries.filter((entry) => !entry.ok)).toEqual([]);
  });
});

const NODE_TYPES_KEY: Record<string, string> = {
  IngestionRun: 'runId',
  ApiPayload: 'externalId',
  TradeDecision: 'decisionId',
  TradeExecution: 'executionId',
  Position: 'externalId',
};

describe('corrections page as every node list does, a query level in a bounded number of statements', () => {
  const PAGE = `query($first: Int!, $after: String) {
    executions(first: $first) {
      nodes {
        id
        corrections(first: 2, after: $after) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage endCursor }
          nodes { id reason leafIndex subject { id } }
        }
      }
    }
  }`;

  it('the newest executions with 3 corrections each: pages of 2, totalCount 3, the same statements for 3 as for 12', async () => {
    const executions: string[] = [];
    for (let index = 0; index < 12; index++) {
      const { executions: made } = await trade();
      const id = gid('TradeExecution', made[0]!.id);
      for (const commission of ['0.02', '0.03', '0.04'])
        expect((await correct(id, { commission }, `commission ${commission}`)).errors).toBeUndefined();
      executions.unshift(id);
    }
    const page = async (first: number) => {
      const { result, statements } = await gateway.countStatements(() =>
        gateway.execute(PAGE, { first, after: null }, reader),
      );
      expect(result.errors).toBeUndefined();
      return { nodes: result.data!.executions.nodes, statements };
    };
    const [three, twelve] = [await page(3), await page(12)];
    expect(twelve.nodes.map((node: { id: string }) => node.id)).toEqual(executions);
    for (const node of twelve.nodes) {
      expect(node.corrections).toMatchObject({
        totalCount: 3,
        pageInfo: { hasNextPage: true, hasPreviousPage: false },
        nodes: [
          { reason: 'commission 0.02', subject: { id: node.id } },
          { reason: 'commission 0.03', subject: { id: node.id } },
        ],
      });
    }
    // The executions; their corrections' pages; their counts; the corrections' subjects; their leaves.
    expect(twelve.statements).toBe(three.statements);
    expect(twelve.statements).toBeLessThanOrEqual(5);

    // The next page of one execution's corrections, through its cursor.
    const first = twelve.nodes[0];
    const next = await read(
      `query($id: ID!, $after: String) { execution(id: $id) { corrections(first: 2, after: $after) {
        pageInfo { hasNextPage } nodes { reason } } } }`,
      { id: first.id, after: first.corrections.pageInfo.endCursor },
    );
    expect(next.data!.execution.corrections).toEqual({
      pageInfo: { hasNextPage: false },
      nodes: [{ reason: 'commission 0.04' }],
    });
    // Newest first on request; a cursor of another record's corrections is refused.
    const newest = await read(
      `query($id: ID!) { execution(id: $id) { corrections(first: 1, orderBy: ID_DESC) { nodes { reason } } } }`,
      { id: first.id },
    );
    expect(newest.data!.execution.corrections.nodes).toEqual([{ reason: 'commission 0.04' }]);
    const foreign = await read(
      `query($id: ID!, $after: String) { execution(id: $id) { corrections(after: $after) { nodes { id } } } }`,
      { id: twelve.nodes[1].id, after: first.corrections.pageInfo.endCursor },
    );
    expect(foreign.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('a correction is proved by its id, over GraphQL and by auditgraph prove', () => {
  it("inclusionProof(id:) and prove take a correction's id; the bundle verifies offline; unknown ids keep their codes", async () => {
    const { executions } = await trade();
    const executionId = gid('TradeExecution', executions[0]!.id);
    const made = await correct(executionId, { fillPrice: '191.5' }, 'a fill the broker re-sent');
    expect(made.errors).toBeUndefined();
    const correctionId: string = made.data!.correctRecord.id;
    const key = generateNoteKey('corrections-cli-test');
    await integrateAll(gateway.database.url, async (connection) => {
      await signCheckpointIfDue(connection, {
        signer: parseSignerKey(key.signerKey),
        origin: 'corrections-test',
        intervalS: 0,
      });
    });

    const answer = await read(
      `query($id: ID!, $correction: ID!) {
        execution(id: $id) { corrections(last: 1) { nodes { id corrected superseded reason actor correctedAt subject { id } leafIndex leafHash } } }
        inclusionProof(id: $correction) { leafIndex leafHash treeSize record }
      }`,
      { id: executionId, correction: correctionId },
    );
    expect(answer.errors).toBeUndefined();
    const [correction] = answer.data!.execution.corrections.nodes;
    const proof = answer.data!.inclusionProof;
    expect(correction.id).toBe(correctionId);
    expect(correction.leafIndex).toEqual(expect.any(Number));
    expect(proof).toMatchObject({ leafIndex: correction.leafIndex, leafHash: correction.leafHash });
    // An outsider rebuilds the leaf from the answer alone: the README's table, the record the proof carries.
    const { subject, leafIndex: _index, leafHash: _hash, ...fields } = correction;
    const rebuilt = { type: 'RecordCorrection', ...fields, subject: subject.id };
    expect(canonicalBytes(rebuilt).toString('utf8')).toBe(proof.record);
    expect(leafHash(canonicalBytes(rebuilt)).toString('base64')).toBe(correction.leafHash);

    const folder = mkdtempSync(path.join(tmpdir(), 'auditgraph-correction-proof-'));
    try {
      const bundleFile = path.join(folder, 'correction.json');
      const proved = await runCli(['prove', correctionId, '--out', bundleFile], cliEnv(gateway.database.url));
      expect(proved).toMatchObject({ code: 0, stdout: '' });
      expect(proved.stderr).toMatch(/^1 record proved against the checkpoint of tree size \d+/);
      const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
      expect(bundle.entries.map((entry: { record: unknown }) => entry.record)).toEqual([rebuilt]);
      const offline = { PATH: process.env.PATH, HOME: process.env.HOME, AUDITGRAPH_DATA_DIR: '/nonexistent' };
      const verified = await runCli(['verify-bundle', bundleFile, '--key', key.verifierKey], offline);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toMatch(/verified: 1 record\n$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    const unknown = toGlobalId('RecordCorrection', '999999999');
    const refusals = await read(`query($id: ID!) { inclusionProof(id: $id) { leafIndex } }`, { id: unknown });
    expect(refusals.errors?.map((error) => error.extensions?.code)).toEqual(['RECORD_NOT_FOUND']);
    const malformed = await read(`query($id: ID!) { inclusionProof(id: $id) { leafIndex } }`, {
      id: toGlobalId('RecordCorrection', 'x'),
    });
    expect(malformed.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const notProved = await runCli(['prove', unknown], cliEnv(gateway.database.url));
    expect(notProved.code).toBe(2);
    expect(notProved.stderr).toMatch(/no record record_corrections 999999999/);
  });
});
