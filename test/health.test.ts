import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { applyPendingMigrations } from '../src/database/migrations';
import { createOrm, type Orm } from '../src/database/orm';
import { type RunningGateway, startHttpServer } from '../src/server/http-server';
import { type EmbeddedServer, startEmbeddedServer } from './harness/embedded-server-process';

/**
 * Health on a server of this file's own, so PostgreSQL can be stopped under
 * the running gateway and started again (whatever DATABASE_URL says).
 */
describe('health: liveness, readiness, and recovery when PostgreSQL comes back', () => {
  let dataRoot: string;
  let server: EmbeddedServer | undefined;
  let orm: Orm;
  let gateway: RunningGateway;
  let origin: string;

  const start = (port?: number) => startEmbeddedServer(path.join(dataRoot, 'pg'), port);
  const get = async (route: string) => {
    const response = await fetch(`${origin}${route}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const positions = () =>
    fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ positions(first: 1) { nodes { id } } }' }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] },
    }));

  beforeAll(async () => {
    dataRoot = await mkdtemp(path.join(tmpdir(), 'auditgraph-health-'));
    await chmod(dataRoot, 0o755);
    server = await start();
    orm = await createOrm({ databaseUrl: server.url, poolMax: 4 });
    await applyPendingMigrations(orm);
    gateway = await startHttpServer(orm, { host: '127.0.0.1', port: 0 });
    origin = new URL(gateway.url).origin;
  });
  afterAll(async () => {
    await gateway?.close();
    await orm?.close();
    await server?.stop();
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('is live and ready with the database up and migrations current', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/ready')).toEqual({
      status: 200,
      body: { status: 'ready', database: 'up', migrations: 'current' },
    });
  });

  it('answers 503 with the reason while PostgreSQL is down, stays live, and recovers by itself', async () => {
    const port = server!.port;
    await server!.stop();
    server = undefined;

    const down = await get('/health/ready');
    // Anonymous probes learn that the database is down, not where it lives.
    expect(down).toEqual({
      status: 503,
      body: { status: 'unavailable', database: 'down', migrations: 'unknown', reason: 'database unreachable' },
    });
    expect(JSON.stringify(down.body)).not.toMatch(new RegExp(`${port}|127\\.0\\.0\\.1|ECONN`));
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    // A scrape still answers (the runbook gauges keep their last values).
    expect((await fetch(`${origin}/metrics`)).status).toBe(200);
    // A query fails cleanly, without the connection error's text: 503, try again later.
    const failed = await positions();
    expect({ status: failed.status, code: failed.body.errors?.[0]?.extensions.code }).toEqual({
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
    });
    expect(JSON.stringify(failed.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminating/);

    server = await start(port);
    expect(server.port).toBe(port);
    let ready = await get('/health/ready');
    for (let attempt = 0; ready.status !== 200 && attempt < 50; attempt++) {
      await sleep(200);
      ready = await get('/health/ready');
    }
    expect(ready).toEqual({ status: 200, body: { status: 'ready', database: 'up', migrations: 'current' } });
    expect((await positions()).body).toEqual({ data: { positions: { nodes: [] } } });
  });

  it('is not ready on a database that lacks migrations, and says which', async () => {
    const admin = new pg.Client({ connectionString: server!.adminUrl });
    await admin.connect();
    await admin.query('create database auditgraph_unmigrated');
    await admin.end();
    const bare = await createOrm({
      databaseUrl: server!.adminUrl.replace(/\/postgres$/, '/auditgraph_unmigrated'),
      poolMax: 2,
    });
    const bareGateway = await startHttpServer(bare, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${new URL(bareGateway.url).origin}/health/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as Record<string, string>;
      expect(body).toMatchObject({ status: 'unavailable', database: 'up', migrations: 'pending' });
      expect(body.reason).toMatch(/^\d+ migration\(s\) not applied: Migration\d+_lineage_tables, /);
    } finally {
      await bareGateway.close();
      await bare.close();
    }
  });
});
