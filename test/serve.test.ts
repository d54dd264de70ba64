import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { expectCleanStop, graphql, runCli, startServe, stopProcess } from './harness/cli';
import { loadInvestigations } from '../src/server/playground/investigations';
import { investigationQuery } from './harness/investigations';
import { createTestDatabase } from './harness/database';
import { readme, readmeOperation } from './harness/readme';

const provenanceQuery = investigationQuery('Trace a position');

/** What a user sees: `npm start` on a fresh machine, and on a real server. */
describe('auditgraph serve', () => {
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0' };

  describe('with DATABASE_URL unset: embedded PostgreSQL with demo data', () => {
    let dataRoot: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      dataRoot = await mkdtemp(path.join(tmpdir(), 'auditgraph-serve-'));
      await chmod(dataRoot, 0o755);
      env = { ...baseEnv, AUDITGRAPH_DATA_DIR: path.join(dataRoot, 'postgres'), AUDITGRAPH_DEMO_SCALE: '0.2' };
    });
    afterAll(() => rm(dataRoot, { recursive: true, force: true }));

    /** A clean stop removes postmaster.pid; a crash or leftover server would leave it. */
    function expectPostgresStopped() {
      expect(existsSync(path.join(dataRoot, 'postgres', 'postmaster.pid'))).toBe(false);
    }

    async function firstPosition(url: string) {
      const { data } = await graphql(url, '{ positions(first: 1) { nodes { id } } }');
      return data.positions.nodes[0].id as string;
    }

    it('migrates, seeds, answers the README provenance query, and stops cleanly on Ctrl-C', async () => {
      const gateway = await startServe([], env);
      expect(gateway.output()).toMatch(/loading demo data/);
      // The Quickstart prints the same counts as `npm start` does.
      for (const line of gateway.output().match(/^(Empty embedded database|Demo data loaded): .*$/gm)!)
        expect(readme()).toContain(`\n${line}\n`);
      expect(gateway.output()).toMatch(
        /WARNING: anonymous read access is ON \(the embedded zero-config database is in use\)/,
      );
      // Once: a warning line of the log, not the log's and stdout's both.
      expect(gateway.output().match(/anonymous read access is ON/g)).toHaveLength(1);
      const positionId = await firstPosition(gateway.url);
      const { data, errors } = await graphql(gateway.url, provenanceQuery, { positionId });
      expect(errors).toBeUndefined();
      const execution = data.position.executions.nodes[0];
      expect(execution.requestPayload.endpoint).toBeTruthy();
      expect(execution.decision.inputs.nodes[0].ingestionRun.taskName).toMatch(/^data_fetch:/);
      await expectCleanStop(gateway);
      expectPostgresStopped();
    });

    it(
      'answers every saved investigation with its saved variables on the demo data, ' + 'as README and playground show',
      async () => {
        const gateway = await startServe([], env);
        try {
          const answers = Object.fromEntries(
            await Promise.all(
              loadInvestigations().map(
                async ({ title, query, variables }) => [title, await graphql(gateway.url, query, variables)] as const,
              ),
            ),
          );
          for (const answer of Object.values(answers)) expect(answer.errors).toBeUndefined();
          const trace = answers['Trace a position']!.data.position;
          expect({ symbol: trace.symbol, quantity: trace.quantity, executions: trace.executions.nodes.length }).toEqual(
            {
              symbol: 'META',
              quantity: '467.72500000',
              executions: 4,
            },
          );
          expect(trace.executions.nodes[0].decision.inputs.nodes[0].ingestionRun.taskName).toBe(
            'data_fetch:insider_trades',
          );
          expect(answers['Blast radius of an ingestion run']!.data.lineage).toMatchObject({
            nodeCount: 105,
            truncated: false,
          });
          expect(answers['Rationale matches a JSON filter']!.data.decisions.nodes.length).toBeGreaterThan(0);
          expect(answers['Broker errors']!.data.search.nodes[0].snippet).toContain('**buying** **power**');
          expect(
            answers['Correlation trail']!.data.correlated.map((node: { __typename: string }) => node.__typename),
          ).toEqual(['TradeDecision', 'ApiPayload', 'TradeExecution', 'ApiPayload']);
          // Planted by the generator: two decisions read a failed call's error body.
          const fed = answers['Decisions fed by a payload whose API call failed (≥ 400)']!.data.decisions;
          expect(fed.totalCount).toBe(2);
          for (const decision of fed.nodes)
            expect(decision.inputs.nodes.some((input: { httpStatus: number | null }) => input.httpStatus! >= 400)).toBe(
              true,
            );
        } finally {
          await expectCleanStop(gateway);
        }
      },
    );

    it(
      "lets CLI commands share the running gateway's database: " +
        'an admin key made meanwhile reads the query audit log',
      async () => {
        const gateway = await startServe([], env);
        try {
          const created = await runCli(['keys', 'create', '--name', 'laptop-admin', '--role', 'admin'], env);
          expect(created.code).toBe(0);
          const { data, errors } = await graphql(
            gateway.url,
            '{ queryAuditLog(first: 5) { nodes { role outcome } } }',
            {},
            { authorization: `Bearer ${created.stdout.trim()}` },
          );
          expect(errors).toBeUndefined();
          expect(data.queryAuditLog.nodes.length).toBeGreaterThan(0);
          // The README's write example succeeds on the demo data, and is a no-op the second time.
          const write = readmeOperation('mutation RecordADecisionAndItsCancellation');
          const recorded = (fresh: number) => ({
            created: fresh,
            unchanged: 1 - fresh,
            databaseIds: [expect.stringMatching(/^\d+$/)],
          });
          for (const fresh of [1, 0]) {
            expect(await graphql(gateway.url, write, {}, { authorization: `Bearer ${created.stdout.trim()}` })).toEqual(
              {
                data: { recordDecision: recorded(fresh), recordStatusChange: recorded(fresh) },
              },
            );
          }
          // The gateway's database survived the CLI command.
          expect(
            (await graphql(gateway.url, '{ positions(first: 1) { nodes { id } } }')).data.positions.nodes,
          ).toHaveLength(1);
        } finally {
          await expectCleanStop(gateway);
        }
        expectPostgresStopped();
      },
    );

    it('keeps the data across a restart and does not seed again', async () => {
      const gateway = await startServe([], env);
      expect(gateway.output()).not.toMatch(/loading demo data/);
      const { data } = await graphql(gateway.url, '{ decisions(first: 100) { nodes { id } } }');
      expect(data.decisions.nodes).toHaveLength(100);
      expect(await stopProcess(gateway.child, 'SIGTERM')).toBe(143);
      expectPostgresStopped();
    });

    it('recovers when the previous gateway was killed with SIGKILL and left PostgreSQL running', async () => {
      const killed = await startServe([], env);
      await stopProcess(killed.child, 'SIGKILL');
      const gateway = await startServe([], env);
      expect(
        (await graphql(gateway.url, '{ decisions(first: 1) { nodes { id } } }')).data.decisions.nodes,
      ).toHaveLength(1);
      await expectCleanStop(gateway);
      expectPostgresStopped();
    });
  });

  describe('with DATABASE_URL set', () => {
    it(
      'migrates but never seeds on its own, ' + 'and answers only callers with an API key made by `keys create`',
      async () => {
        const database = await createTestDatabase();
        // Info, so the access lines of answered requests are written too.
        const env = { ...baseEnv, DATABASE_URL: database.url, LOG_LEVEL: 'info' };
        try {
          const gateway = await startServe([], env);
          try {
            expect(gateway.output()).not.toMatch(/anonymous read access/);
            const query = '{ decisions(first: 1) { nodes { id } } }';
            const refused = await fetch(gateway.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-request-id': 'serve-test-0001' },
              body: JSON.stringify({ query }),
            });
            expect(refused.status).toBe(401);
            expect(refused.headers.get('x-request-id')).toBe('serve-test-0001');
            // One JSON log line per request, carrying the id the response returned.
            await new Promise((resolve) => setTimeout(resolve, 100));
            const line = gateway
              .output()
              .split('\n')
              .find((candidate) => candidate.includes('serve-test-0001'));
            expect(JSON.parse(line!)).toMatchObject({
              level: 40,
              req: { id: 'serve-test-0001', method: 'POST', url: '/graphql' },
              res: { statusCode: 401 },
            });
            expect(line).not.toMatch(/authorization/i);
            const created = await runCli(['keys', 'create', '--name', 'ci', '--role', 'investigator'], env);
            expect(created.code).toBe(0);
            const secret = created.stdout.trim();
            expect(secret).toMatch(/^ag_[\w-]{43}$/);
            const { data } = await graphql(
              gateway.url,
              query,
              {},
              { authorization: `Bearer ${secret}`, 'x-request-id': 'serve-test-0002' },
            );
            expect(data.decisions.nodes).toEqual([]);
            // The line of an answered request names the caller, never the secret.
            await new Promise((resolve) => setTimeout(resolve, 100));
            const answered = gateway
              .output()
              .split('\n')
              .find((candidate) => candidate.includes('serve-test-0002'));
            expect(JSON.parse(answered!)).toMatchObject({
              level: 30,
              req: { id: 'serve-test-0002' },
              res: { statusCode: 200 },
              caller: 'key 1 "ci" (investigator)',
              msg: 'request completed',
            });
            expect(answered).not.toContain(secret);
          } finally {
            await expectCleanStop(gateway);
          }
        } finally {
          await database.drop();
        }
      },
    );

    it('refuses to start on a database with pending migrations when migrating on start is off', async () => {
      const database = await createTestDatabase();
      try {
        const { Client } = await import('pg');
        const client = new Client({ connectionString: database.url });
        await client.connect();
        await client.query('delete from mikro_orm_migrations where id = (select max(id) from mikro_orm_migrations)');
        await client.end();
        const result = await runCli(['serve', '--no-migrate'], { ...baseEnv, DATABASE_URL: database.url });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          new RegExp(
            /^auditgraph: the database lacks 1 of this version's \d+ migrations /.source +
              /\(Migration\d+_\w+\): run `auditgraph migrate`$/.source,
            'm',
          ),
        );
      } finally {
        await database.drop();
      }
    });
  });

  describe('bad configuration and arguments', () => {
    it('says which port is taken instead of crashing with EADDRINUSE', async () => {
      const database = await createTestDatabase();
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      try {
        const port = String((blocker.address() as net.AddressInfo).port);
        const result = await runCli(['serve'], { ...baseEnv, DATABASE_URL: database.url, PORT: port });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use: set PORT to another port`);
      } finally {
        blocker.close();
        await database.drop();
      }
    });

    it.each([
      [['serve'], { PORT: 'eighty' }, /PORT="eighty"/],
      [['serve'], { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
      [['seed', '--scale', 'huge'], {}, /--scale must be a number above 0/],
      [['seed', '--scale', '0'], {}, /--scale must be a number above 0/],
      [['seed', '--seed', '-3'], {}, /--seed must be a non-negative integer/],
      [['seed', '--anchor', 'tuesday'], {}, /must be an ISO date/],
      [['frobnicate'], {}, /unknown command 'frobnicate'/],
    ])('auditgraph %j with %j exits 2 with a clear message', async (args, extraEnv, message) => {
      const result = await runCli(args, { ...baseEnv, ...extraEnv });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  });
});
