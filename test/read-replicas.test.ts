import { setTimeout as sleep } from 'node:timers/promises';
import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { loadConfig } from '../src/base/config';
import { logger } from '../src/base/logger';
import { applyPendingMigrations } from '../src/database/migrations';
import { createOrm, type Orm } from '../src/database/orm';
import { replicaName } from '../src/database/replicas/read-router';
import { DEMO_SEED, seedDatabase } from '../src/seed/seed-database';
import { loadInvestigations } from '../src/server/playground/investigations';
import { type HttpSettings, type RunningGateway, startHttpServer } from '../src/server/http-server';
import { type OwnCluster, type OwnReplica, startOwnCluster } from '../bench/own-cluster';
import { withClient } from './harness/database';

// Read replicas against a real streaming replica: a cluster of the test's own (initdb) with a hot standby
// made by `pg_basebackup -R`, from the machine's PostgreSQL binaries, whichever database mode the suite runs.
// The gateway runs in-process on the primary, with the standby as its one replica.

const DATABASE = 'replicated';
let cluster: OwnCluster;
let replica: OwnReplica;
let primaryUrl: string;
let writer: Orm;
let adminSecret: string;
let writerSecret: string;

type Gateway = RunningGateway & { orm: Orm; post(query: string, variables?: object, secret?: string): Promise<any> };

async function startGateway(overrides: Partial<HttpSettings>): Promise<Gateway> {
  const defaults = loadConfig({ DATABASE_URL: primaryUrl });
  const orm = await createOrm({
    databaseUrl: primaryUrl,
    poolMax: 4,
    session: { readOnly: true, statementTimeoutMs: defaults.statementTimeoutMs },
  });
  const running = await startHttpServer(orm, {
    ...defaults,
    host: '127.0.0.1',
    port: 0,
    poolMax: 4,
    anonymousRead: true,
    replicaUrls: [replica.urlFor(DATABASE)],
    ...overrides,
  });
  return {
    ...running,
    orm,
    async post(query, variables = {}, secret) {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async close() {
      await running.close();
      await orm.close();
    },
  };
}

const query = (url: string, sql: string, values: unknown[] = []): Promise<any[]> =>
  withClient(url, async (client) => (await client.query(sql, values)).rows);

/** Every scan of the record's tables PostgreSQL has counted on one server, by table. */
async function scansOf(url: string): Promise<Record<string, number>> {
  const rows = await query(
    url,
    `select relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as scans from pg_stat_user_tables
      where relname = any($1) order by relname`,
    [RECORD_TABLES],
  );
  return Object.fromEntries(rows.map((row) => [row.relname, Number(row.scans)]));
}
const RECORD_TABLES = [
  'data_ingestion_runs',
  'api_payloads',
  'decision_inputs',
  'trade_decisions',
  'trade_executions',
  'positions',
  'audit_events',
];

const RUN_INPUT = (runId: string) => ({
  runId,
  taskName: 'data_fetch:replica_test',
  source: 'quiverquant',
  status: 'succeeded',
  recordsFetched: 1,
  startedAt: '2026-10-01T14:00:00Z',
  finishedAt: '2026-10-01T14:01:00Z',
});
const RECORD_RUN = 'mutation ($r: [IngestionRunInput!]!) { recordIngestionRun(records: $r) { created } }';
const RUNS_NAMED = 'query ($id: String!) { ingestionRuns(where: { runId: { eq: $id } }) { totalCount } }';
const runsNamed = async (gateway: Gateway, runId: string) =>
  (await gateway.post(RUNS_NAMED, { id: runId })).data?.ingestionRuns.totalCount;

async function statusOfReplica(gateway: Gateway): Promise<{ state: string; lagMs?: number; reason?: string }> {
  const response = await fetch(gateway.url.replace('/graphql', '/health/detailed'), {
    headers: { authorization: `Bearer ${adminSecret}` },
  });
  const body = (await response.json()) as {
    replicas: { name: string; state: string; lagMs?: number; reason?: string }[];
  };
  return body.replicas.find((status) => status.name === replicaName(replica.urlFor(DATABASE)))!;
}

/** A counter's value on the gateway's /metrics (in-process: every gateway of this file shares the registry). */
async function counter(gateway: Gateway, series: string): Promise<number> {
  const metrics = await (
    await fetch(gateway.metricsUrl, { headers: { authorization: `Bearer ${adminSecret}` } })
  ).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const READ_OFF_REPLICA = 'auditgraph_graphql_operations_by_database_total{database="replica"}';
const RETRIED = 'auditgraph_replica_queries_retried_total';

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await sleep(50);
  }
  throw new Error(`${what}: not within 10 s`);
}

beforeAll(async () => {
  cluster = await startOwnCluster();
  primaryUrl = await cluster.createDatabase(DATABASE);
  replica = await cluster.startReplica();
  writer = await createOrm({ databaseUrl: primaryUrl, poolMax: 2 });
  await applyPendingMigrations(writer);
  // Written after the base backup: the standby has all of it by streaming.
  await seedDatabase(primaryUrl, { scale: 0.1, seed: DEMO_SEED });
  adminSecret = (await createApiKey(writer.em.fork(), 'test', { name: 'replica-admin', role: Role.admin })).secret;
  writerSecret = (await createApiKey(writer.em.fork(), 'test', { name: 'replica-writer', role: Role.writer })).secret;
  // Its sessions' scans are counted when they end: before any test reads the counts.
  await writer.close();
  await replica.caughtUp();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

it('reads every saved investigation, search and report off the replica: none scans the primary', async () => {
  const reads = [
    ...loadInvestigations().map(({ query: text, variables }) => ({ text, variables })),
    { text: '{ search(query: "buying power", first: 5) { totalCount nodes { kind } } }', variables: {} },
    { text: '{ decisions(first: 3, orderBy: CREATED_AT_DESC) { totalCount nodes { status } } }', variables: {} },
  ];
  const primaryBefore = await scansOf(primaryUrl);
  const replicaBefore = await scansOf(replica.urlFor(DATABASE));
  const gateway = await startGateway({ replicaCheckIntervalMs: 200 });
  try {
    expect((await statusOfReplica(gateway)).state).toBe('in_rotation');
    for (const { text, variables } of reads) {
      const answer = await gateway.post(text, variables, adminSecret);
      expect({ text, errors: answer.errors }).toEqual({ text, errors: undefined });
    }
  } finally {
    // The servers count a session's scans when it ends: the gateway's pools close here.
    await gateway.close();
  }
  await sleep(500);
  expect(await scansOf(primaryUrl)).toEqual(primaryBefore);
  const replicaAfter = await scansOf(replica.urlFor(DATABASE));
  for (const table of RECORD_TABLES)
    expect({ table, more: replicaAfter[table]! > replicaBefore[table]! }).toEqual({ table, more: true });
});

it('says once, at start, that a replica it cannot reach is out of rotation, and serves from the primary', async () => {
  const warn = jest.spyOn(logger, 'warn');
  const unreachable = 'postgres://postgres@127.0.0.1:1/replicated';
  const gateway = await startGateway({ replicaUrls: [unreachable], replicaCheckIntervalMs: 100 });
  try {
    expect(await runsNamed(gateway, 'none')).toBe(0);
    await sleep(500);
    const said = warn.mock.calls.filter(
      ([fields]) => (fields as { replica?: string }).replica === replicaName(unreachable),
    );
    expect(said).toEqual([[expect.objectContaining({ state: 'down' }), expect.stringMatching(/out of rotation/)]]);
  } finally {
    warn.mockRestore();
    await gateway.close();
  }
});

it('writes on the primary; a query reads the replica, which answers what it has replayed', async () => {
  // A bound no pause reaches here: the paused replica stays in rotation and answers from what it has.
  const gateway = await startGateway({ replicaMaxLagMs: 3_600_000, replicaCheckIntervalMs: 100 });
  try {
    await replica.pauseReplay();
    const written = await gateway.post(RECORD_RUN, { r: [RUN_INPUT('replica-arrives')] }, writerSecret);
    expect(written).toEqual({ status: 200, data: { recordIngestionRun: { created: 1 } } });
    expect(await runsNamed(gateway, 'replica-arrives')).toBe(0);
    await replica.resumeReplay();
    await replica.caughtUp();
    expect(await runsNamed(gateway, 'replica-arrives')).toBe(1);
  } finally {
    await replica.resumeReplay();
    await gateway.close();
  }
});

it('takes a replica lagging past the bound out of rotation: queries read the primary until it catches up', async () => {
  const gateway = await startGateway({ replicaMaxLagMs: 300, replicaCheckIntervalMs: 100 });
  try {
    expect((await statusOfReplica(gateway)).state).toBe('in_rotation');
    await replica.pauseReplay();
    await gateway.post(RECORD_RUN, { r: [RUN_INPUT('replica-lags')] }, writerSecret);
    const lagging = await until(
      'lagging',
      () => statusOfReplica(gateway),
      (status) => status.state === 'lagging',
    );
    expect(lagging.lagMs).toBeGreaterThan(300);
    // The replica has not replayed it; the gateway's answer has it: it came from the primary.
    expect(
      await query(
        replica.urlFor(DATABASE),
        `select count(*)::int as n from data_ingestion_runs where run_id = 'replica-lags'`,
      ),
    ).toEqual([{ n: 0 }]);
    expect(await runsNamed(gateway, 'replica-lags')).toBe(1);
    const metrics = await (
      await fetch(gateway.metricsUrl, { headers: { authorization: `Bearer ${adminSecret}` } })
    ).text();
    expect(metrics).toMatch(/^auditgraph_replica_in_rotation\{replica="[^"]+"\} 0$/m);
    await replica.resumeReplay();
    await until(
      'back in rotation',
      () => statusOfReplica(gateway),
      (status) => status.state === 'in_rotation',
    );
  } finally {
    await replica.resumeReplay();
    await gateway.close();
  }
});

it('answers a query whose replica stops under it from the primary, and records it once', async () => {
  // No probe in this test's time: only the query itself can find the replica gone.
  const gateway = await startGateway({ replicaCheckIntervalMs: 600_000 });
  try {
    expect(await runsNamed(gateway, 'replica-arrives')).toBe(1);
    await replica.stop();
    const before = await query(primaryUrl, 'select count(*)::int as n from query_audit_log');
    const retriedBefore = await counter(gateway, RETRIED);
    const answer = await gateway.post(RUNS_NAMED, { id: 'replica-arrives' });
    expect(answer).toEqual({ status: 200, data: { ingestionRuns: { totalCount: 1 } } });
    expect(await counter(gateway, RETRIED)).toBe(retriedBefore + 1);
    const down = await statusOfReplica(gateway);
    expect(down.state).toBe('down');
    // The driver's reason, not the statement it cut short.
    expect(down.reason).toMatch(/^a query lost its connection: .{1,200}$/);
    expect(down.reason).not.toMatch(/select|json_build_object/i);
    const after = await query(primaryUrl, 'select count(*)::int as n from query_audit_log');
    // The answered query, and the /health/detailed read's nothing (not GraphQL).
    expect(after[0].n - before[0].n).toBe(1);
  } finally {
    await replica.start();
    await gateway.close();
  }
});

it('loses no request while the replica stops under load, and takes it back once it is up', async () => {
  const gateway = await startGateway({ replicaCheckIntervalMs: 100 });
  const trace = loadInvestigations().find((investigation) => investigation.title === 'Trace a position')!;
  try {
    await until(
      'in rotation',
      () => statusOfReplica(gateway),
      (status) => status.state === 'in_rotation',
    );
    const auditBefore = (await query(primaryUrl, 'select count(*)::int as n from query_audit_log'))[0].n;
    const replicaReadsBefore = await counter(gateway, READ_OFF_REPLICA);
    let stopAt = Date.now() + 60_000;
    const answers: { status: number; errors?: unknown }[] = [];
    const worker = async () => {
      while (Date.now() < stopAt) answers.push(await gateway.post(trace.query, trace.variables));
    };
    const workers = Array.from({ length: 6 }, worker);
    await sleep(400);
    // Under load on the replica when it stops.
    expect(await counter(gateway, READ_OFF_REPLICA)).toBeGreaterThan(replicaReadsBefore);
    await replica.stop();
    stopAt = Date.now() + 600;
    await Promise.all(workers);
    expect(answers.length).toBeGreaterThan(12);
    expect(answers.filter((answer) => answer.status !== 200 || answer.errors)).toEqual([]);
    const auditAfter = (await query(primaryUrl, 'select count(*)::int as n from query_audit_log'))[0].n;
    expect(auditAfter - auditBefore).toBe(answers.length);
    expect((await statusOfReplica(gateway)).state).toBe('down');
    await replica.start();
    await until(
      'back in rotation',
      () => statusOfReplica(gateway),
      (status) => status.state === 'in_rotation',
    );
  } finally {
    await gateway.close();
  }
});
