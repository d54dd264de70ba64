import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import pg from 'pg';
import { ConfigError } from '../src/base/config';
import { createApiKey } from '../src/auth/api-keys';
import { Role } from '../src/auth/roles';
import { type RunningGateway, startHttpServer } from '../src/server/http-server';
import { MAX_OPERATION_NAMES } from '../src/server/plugins/graphql-metrics.plugin';
import { observeGateway } from '../src/metrics/gateway-metrics';
import { createTrade } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { investigationQuery, provenanceThroughNode } from './harness/investigations';
import { serveOnTestDatabase } from './harness/cli';

const HOUR = 3_600_000;

/** A port nothing listens on right now. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/**
 * The value of one metric (with its exact label set, if any) in a Prometheus text exposition; 0
 * when absent and labelled.
 */
function sample(text: string, name: string, labels = ''): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  if (!line && labels) return 0;
  if (!line) throw new Error(`${name} is not in /metrics`);
  const value = line!.slice(prefix.length);
  return value === '+Inf' ? Number.POSITIVE_INFINITY : value === '-Inf' ? Number.NEGATIVE_INFINITY : Number(value);
}

describe('/metrics: the runbook alert inputs', () => {
  let gateway: TestGateway;
  let http: RunningGateway;
  let metricsUrl: string;
  let adminSecret: string;

  const scrapeAs = (secret?: string) =>
    fetch(metricsUrl, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  const scrape = async () => {
    const response = await scrapeAs(adminSecret);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    http = await startHttpServer(gateway.orm, { host: '127.0.0.1', port: 0 });
    metricsUrl = http.metricsUrl;
    const issue = (name: string, role: Role) => createApiKey(gateway.orm.em.fork(), 'metrics-test', { name, role });
    adminSecret = (await issue('prometheus', Role.admin)).secret;
  });
  afterAll(async () => {
    await http?.close();
    await gateway?.close();
  });

  it('answers an admin key only: 401 without one, 403 for another role', async () => {
    expect((await scrapeAs()).status).toBe(401);
    expect((await scrapeAs('not-a-key')).status).toBe(401);
    const reader = await createApiKey(gateway.orm.em.fork(), 'metrics-test', {
      name: 'metrics-reader',
      role: Role.investigator,
    });
    const refused = await scrapeAs(reader.secret);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('auditgraph_');
  });

  it('is served on AUDITGRAPH_METRICS_PORT without a key when set, and then not on the API port', async () => {
    const separate = await startHttpServer(gateway.orm, { host: '127.0.0.1', port: 0, metricsPort: 0 });
    try {
      expect(new URL(separate.metricsUrl).port).not.toBe(new URL(separate.url).port);
      const response = await fetch(separate.metricsUrl);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^auditgraph_database_up 1$/m);
      const onApiPort = await fetch(`${new URL(separate.url).origin}/metrics`, {
        headers: { authorization: `Bearer ${adminSecret}` },
      });
      expect(onApiPort.status).toBe(404);
      expect((await fetch(new URL('/graphql', separate.metricsUrl))).status).toBe(404);
    } finally {
      await separate.close();
    }
  });

  it('is named by `serve` at start when it has a port of its own, and answers there', async () => {
    const { gateway: serving, stop } = await serveOnTestDatabase({ AUDITGRAPH_METRICS_PORT: '0' });
    try {
      const named = /auditgraph is serving \/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m;
      for (let waited = 0; !named.test(serving.output()) && waited < 5_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const url = named.exec(serving.output())![1]!;
      expect(new URL(url).port).not.toBe(new URL(serving.url).port);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await stop();
    }
  });

  it('refuses a metrics port in use with the setting to change, and leaves the API port free', async () => {
    const apiPort = await freePort();
    const taken = Number(new URL(http.url).port);
    await expect(
      startHttpServer(gateway.orm, { host: '127.0.0.1', port: apiPort, metricsPort: taken }),
    ).rejects.toThrow(
      new ConfigError(
        `port ${taken} on 127.0.0.1 is already in use: set AUDITGRAPH_METRICS_PORT to another port (0 picks a free one)`,
      ),
    );
    const again = await startHttpServer(gateway.orm, { host: '127.0.0.1', port: apiPort });
    await again.close();
  });

  it('says the epoch for the last ingestion and NaN failure rate on an empty database', async () => {
    const text = await scrape();
    expect(sample(text, 'auditgraph_ingestion_last_run_timestamp_seconds')).toBe(0);
    expect(sample(text, 'auditgraph_decisions_failed_ratio_today')).toBeNaN();
    expect(sample(text, 'auditgraph_api_error_responses_last_hour')).toBe(0);
    expect(sample(text, 'auditgraph_decisions_pending_over_an_hour')).toBe(0);
    expect(sample(text, 'auditgraph_database_up')).toBe(1);
    expect(sample(text, 'auditgraph_db_pool_max_connections')).toBe(4);
    expect(sample(text, 'auditgraph_archive_last_verification_findings')).toBeNaN();
    expect(sample(text, 'auditgraph_checkpoint_oldest_unpublished_timestamp_seconds')).toBeNaN();
    expect(sample(text, 'auditgraph_query_audit_write_failures_total')).toBe(0);
    // The standard Node.js names, no prefix.
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
    expect(text).not.toMatch(/^auditgraph_(process|nodejs)_/m);
  });

  it("passes `promtool check metrics` (Prometheus' naming conventions)", async () => {
    const text = await scrape();
    const check = promisify(execFile)('/usr/bin/promtool', ['check', 'metrics']);
    check.child.stdin!.end(text);
    const { stdout, stderr } = await check;
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('reports what the runbook alerts on, from the data, once the cached values are dropped', async () => {
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      await client.query(
        `insert into data_ingestion_runs
          (run_id, task_name, source, status, records_fetched, metadata, started_at, created_at)
        values ('run-2h', 'data_fetch:congress_daily', 'quiverquant', 'succeeded', 3, '{}', $1, $1)`,
        [ago(2 * HOUR)],
      );
      const decision = (id: string, status: string, at: string) =>
        client.query(
          `insert into trade_decisions
            (decision_id, strategy, symbol, side, quantity, order_type, status, decision_rationale, created_at)
         values ($1, 'CongressionalTradingStrategy', 'NVDA', 'buy', 1, 'market', $2, '{"signal": "x"}', $3)`,
          [id, status, at],
        );
      // Today (a minute ago): 1 failed of 4 — and two pending made 30 hours ago, which are not today's.
      for (const [id, status] of [
        ['t1', 'executed'],
        ['t2', 'executed'],
        ['t3', 'failed'],
        ['t4', 'pending'],
      ])
        await decision(id!, status!, ago(60_000));
      await decision('old-1', 'pending', ago(30 * HOUR));
      await decision('old-2', 'pending', ago(30 * HOUR));
      const response = (status: number, at: string) =>
        client.query(
          `insert into api_payloads
            (direction, provider, endpoint, http_method, http_status, payload, payload_bytes, created_at)
         values ('response', 'alpaca', '/v2/orders', 'POST', $1, '{}', 2, $2)`,
          [status, at],
        );
      await response(429, ago(10 * 60_000));
      await response(503, ago(20 * 60_000));
      await response(200, ago(5 * 60_000));
      await response(500, ago(2 * HOUR));
      // The logging spec's patterns: repeated errors (three 502s a minute ago), a slow call, trade failures, a
      // circuit breaker; and an archive verification with findings.
      for (let index = 0; index < 3; index++) await response(502, ago(60_000));
      await client.query(
        `insert into api_payloads
          (direction, provider, endpoint, http_method, http_status, payload, payload_bytes, latency_ms, created_at)
         values ('response', 'alpaca', '/v2/account', 'GET', 200, '{}', 2, 1500, $1),
                ('response', 'alpaca', '/v2/account', 'GET', 200, '{}', 2, 900, $1)`,
        [ago(60_000)],
      );
      await decision('t5-pending', 'pending', ago(2 * 60_000));
      const event = (logType: string, name: string, data: string, extra: string, at: string) =>
        client.query(
          `insert into audit_events (log_type, event, event_data, subject_table, subject_id, actor, occurred_at)
           values ($1, $2, $3, ${extra}, 'test', $4)`,
          [logType, name, data, at],
        );
      await event(
        'TRADE',
        'status_changed',
        '{"from": "pending", "to": "failed"}',
        `'trade_decisions', (select id from trade_decisions where decision_id = 't5-pending')`,
        ago(60_000),
      );
      await event('TRADE', 'trade_failed', '{"trade_id": "x"}', 'null, null', ago(60_000));
      await event('TRADE', 'trade_failed', '{"trade_id": "old"}', 'null, null', ago(2 * HOUR));
      await event('RISK', 'circuit_breaker_triggered', '{"trigger": "daily_loss_limit"}', 'null, null', ago(60_000));
      await event('COMPLIANCE', 'archive_verified', '{"findings": 0, "whole": true}', 'null, null', ago(2 * HOUR));
      await event('COMPLIANCE', 'archive_verified', '{"findings": 2, "whole": false}', 'null, null', ago(HOUR));
    } finally {
      await client.end();
    }

    // The first scrape above cached the empty database's values for a while: they hold.
    expect(sample(await scrape(), 'auditgraph_api_error_responses_last_hour')).toBe(0);

    observeGateway(gateway.orm, { witnessDir: undefined }); // drops the caches, as a restart would
    const text = await scrape();
    const ingestedAgo = Date.now() / 1000 - sample(text, 'auditgraph_ingestion_last_run_timestamp_seconds');
    expect(ingestedAgo).toBeGreaterThanOrEqual(2 * 3600);
    expect(ingestedAgo).toBeLessThan(2 * 3600 + 60);
    // Today: t3 and t5 failed of five.
    expect(sample(text, 'auditgraph_decisions_failed_ratio_today')).toBe(0.4);
    expect(sample(text, 'auditgraph_api_error_responses_last_hour')).toBe(5);
    expect(sample(text, 'auditgraph_decisions_pending_over_an_hour')).toBe(2);
    // t3 written failed a minute ago, t5 changed to failed, one trade_failed event within the hour.
    expect(sample(text, 'auditgraph_trade_failures_last_hour')).toBe(3);
    expect(sample(text, 'auditgraph_circuit_breaker_events_last_hour')).toBe(1);
    expect(sample(text, 'auditgraph_slow_api_calls_last_hour')).toBe(1);
    expect(sample(text, 'auditgraph_api_error_responses_most_repeated')).toBe(3);
    expect(sample(text, 'auditgraph_archive_last_verification_findings')).toBe(2);
    const verifiedAgo = Date.now() / 1000 - sample(text, 'auditgraph_archive_last_verification_timestamp_seconds');
    expect(Math.abs(verifiedAgo - 3600)).toBeLessThan(60);
    // This week: t1, t2 executed, t3 failed, t5 failed (pending ones do not count).
    expect(sample(text, 'auditgraph_strategy_success_ratio', 'strategy="CongressionalTradingStrategy"')).toBe(0.5);
    expect(sample(text, 'auditgraph_api_payloads_storage_bytes')).toBeGreaterThan(8192);
  });

  it('counts SQL statements per operation, DataLoader batch sizes by loader, and pool connections', async () => {
    const trade = await createTrade(gateway.orm.em.fork(), { executionCount: 3, inputCount: 2 });
    const provenance = investigationQuery('Trace a position');
    const measure = async (query: string) => {
      const before = await scrape();
      const response = await fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { positionId: trade.position.nodeId } }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      const after = await scrape();
      const delta = (name: string, labels: string) => sample(after, name, labels) - sample(before, name, labels);
      const batches = (loader: string) => [
        delta('auditgraph_dataloader_batch_size_count', `loader="${loader}"`),
        delta('auditgraph_dataloader_batch_size_sum', `loader="${loader}"`),
      ];
      return { after, delta, batches };
    };

    const walked = await measure(provenanceThroughNode());
    // One operation of six statements, one per level.
    expect(walked.delta('auditgraph_graphql_operation_sql_statements_count', 'operation_type="query"')).toBe(1);
    expect(walked.delta('auditgraph_graphql_operation_sql_statements_sum', 'operation_type="query"')).toBe(6);
    // One batch per level, each with the level's distinct keys: the position's executions, their
    // 6 broker payloads, their one decision (deduplicated), its inputs, and the inputs' one run.
    expect(walked.batches('Position.executions')).toEqual([1, 1]);
    expect(walked.batches('ApiPayload.id')).toEqual([1, 6]);
    expect(walked.batches('TradeDecision.id')).toEqual([1, 1]);
    expect(walked.batches('TradeDecision.inputs')).toEqual([1, 1]);
    expect(walked.batches('IngestionRun.id')).toEqual([1, 1]);

    const prefetched = await measure(provenance);
    // position(id:) reads the whole walk in one statement, and the loaders answer from it.
    expect(prefetched.delta('auditgraph_graphql_operation_sql_statements_sum', 'operation_type="query"')).toBe(1);
    expect(prefetched.batches('lineage.prefetch')).toEqual([1, 1]);
    expect(prefetched.batches('ApiPayload.id')).toEqual([0, 0]);

    const { after } = prefetched;
    for (const state of ['used', 'free', 'pending'])
      expect(sample(after, 'auditgraph_db_pool_connections', `state="${state}"`)).toBeGreaterThanOrEqual(0);
    expect(after).toMatch(/^auditgraph_db_pool_connections\{state="free"\} \d+$/m);
  });

  it('labels at most MAX_OPERATION_NAMES distinct operation names; the rest share "other"', async () => {
    const post = (name: string) =>
      fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query ${name} { __typename }` }),
      });
    for (let index = 0; index < MAX_OPERATION_NAMES + 20; index++)
      expect((await post(`Flood${index}`)).status).toBe(200);
    const text = await scrape();
    const names = new Set(
      [...text.matchAll(/^auditgraph_graphql_operation_duration_seconds_count\{operation_name="([^"]*)"/gm)].map(
        (match) => match[1],
      ),
    );
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 2); // + "other" and "anonymous"
    expect(names.has('other')).toBe(true);
    expect(
      sample(
        text,
        'auditgraph_graphql_operation_duration_seconds_count',
        'operation_name="other",operation_type="query"',
      ),
    ).toBeGreaterThanOrEqual(20);
  });
});
