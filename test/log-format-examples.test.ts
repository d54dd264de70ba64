import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createOrm, type Orm } from '../src/database/orm';
import { importFile } from '../src/import/import-files';
import { failureAnalysis } from '../src/reports/failure-analysis.report';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

/** The log-format guide's own examples (see test/fixtures/trading-log-guide/SOURCE.md). */
const GUIDE = path.join(__dirname, 'fixtures/trading-log-guide');
const guideFile = (name: string) => path.join(GUIDE, name);

const DECISION_STATUS =
  `coalesce((select s.event_data ->> 'to' from audit_events s where s.event = 'status_changed' and s.subject_table ` +
  `= 'trade_decisions' and s.subject_id = d.id order by s.seq desc limit 1), d.status)`;

/** Each example line of the trading bot's log-format guide, imported, and what it became in the record. */
describe('the log-format guide, line by line', () => {
  let database: TestDatabase;
  let orm: Orm;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const query = <T extends object>(sql: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query<T>(sql, values)).rows);

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-guide-'));
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await orm.close();
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('imports the four example logs, and names the error line that names no order', async () => {
    const result = await runCli(
      [
        'import',
        ...['orders', 'trades', 'performance', 'errors'].map((name) => guideFile(`${name}.jsonl`)),
        '--actor',
        'guide',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'errors.jsonl: 1 lines linked to no order, kept as SYSTEM events:\n  errors.jsonl:1: ' +
        'names no order (no order_id, at the top level or in order_data)\n',
    );
  });

  it(
    'orders.jsonl:1 (order_submitted) is a pending-then-executed decision and its broker request, ' + 'µs and all',
    async () => {
      expect(
        await query(`select d.decision_id, d.strategy, d.symbol, d.side, d.quantity, d.order_type,
               d.limit_price, d.decision_rationale, d.correlation_id,
        to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at,
        d.status as written, ${DECISION_STATUS} as status,
        p.direction, p.endpoint, p.payload ->> 'order_id' as payload_order
      from trade_decisions d join api_payloads p on p.external_id = d.decision_id || ':request'`),
      ).toEqual([
        {
          decision_id: 'abc123-def456-789',
          strategy: 'SectorRotationModel_v1',
          symbol: 'SPY',
          side: 'buy',
          quantity: '10.00000000',
          order_type: 'market',
          limit_price: null,
          decision_rationale: {
            model: 'SectorRotationModel_v1',
            nav: 100000,
            price: 666.23,
            broker_status: 'accepted',
          },
          correlation_id: 'abc123-def456-789',
          at: '2025-11-18T14:30:00.123456',
          written: 'pending',
          status: 'executed',
          direction: 'request',
          endpoint: '/orders',
          payload_order: 'abc123-def456-789',
        },
      ]);
    },
  );

  it(
    'trades.jsonl:1 (trade_executed) is a filled execution of that order, the broker response, ' +
      'and the position it opened',
    async () => {
      expect(
        await query(`select e.execution_id, e.status, e.filled_quantity, e.fill_price, e.broker_order_id,
               d.decision_id, rq.external_id as request, rs.payload ->> 'value' as response_value,
        p.account, p.symbol, p.quantity as opening_quantity,
        to_char(e.filled_at at time zone 'UTC', 'HH24:MI:SS.US') as filled_at
      from trade_executions e join trade_decisions d on d.id = e.trade_decision_id
      join positions p on p.id = e.position_id
      join api_payloads rq on rq.id = e.api_request_payload_id
      join api_payloads rs on rs.id = e.api_response_payload_id`),
      ).toEqual([
        {
          execution_id: 'abc123-def456-789@2025-11-18T14:30:05.234567+00:00',
          status: 'filled',
          filled_quantity: '10.00000000',
          fill_price: '666.25000000',
          broker_order_id: 'abc123-def456-789',
          decision_id: 'abc123-def456-789',
          request: 'abc123-def456-789:request',
          response_value: '6662.5',
          account: 'trading-bot',
          symbol: 'SPY',
          opening_quantity: '10.00000000',
          filled_at: '14:30:05.234567',
        },
      ]);
    },
  );

  it('performance.jsonl:1 (cycle_complete) is a NAV snapshot event holding the whole line', async () => {
    expect(
      await query(`select log_type, event, event_data, actor from audit_events where event = 'position_snapshot'`),
    ).toEqual([
      {
        log_type: 'NAV',
        event: 'position_snapshot',
        actor: 'guide',
        event_data: {
          timestamp: '2025-11-18T14:30:10.345678+00:00',
          event_type: 'cycle_complete',
          nav: 106234.56,
          cash: 43567.89,
          positions_count: 3,
          positions: { SPY: 10, QQQ: 5, TLT: 15 },
          buying_power: 87123.45,
          cycle_timestamp: '2025-11-18T14:00:00+00:00',
        },
      },
    ]);
  });

  it(
    'errors.jsonl:1 (order_error, its order_data elided) is a SYSTEM event, ' + 'not a rejection of some order',
    async () => {
      expect(
        await query(
          `select log_type, event, event_data ->> 'error' as error, subject_table from audit_events
          where log_type = 'SYSTEM'`,
        ),
      ).toEqual([
        { log_type: 'SYSTEM', event: 'order_error', error: 'Insufficient buying power', subject_table: null },
      ]);
      expect(await query(`select count(*)::int as n from trade_executions where status = 'rejected'`)).toEqual([
        { n: 0 },
      ]);
    },
  );

  it(
    'links an error to its order through order_data (order id, else client order id): rejected, failed, ' +
      'counted by the failure report',
    async () => {
      const order = (id: string, at: string) => ({
        timestamp: at,
        event_type: 'order_submitted',
        order_id: id,
        symbol: 'QQQ',
        side: 'sell',
        quantity: 5,
        price: 500,
        order_type: 'market',
        status: 'accepted',
        nav: 1,
        model: 'm',
      });
      const error = (at: string, orderData: object) => ({
        timestamp: at,
        event_type: 'order_error',
        symbol: 'QQQ',
        side: 'sell',
        quantity: 5,
        error: 'Insufficient buying power',
        order_data: orderData,
      });
      const write = async (name: string, lines: object[]) => {
        await writeFile(path.join(dir, name), lines.map((line) => JSON.stringify(line)).join('\n'));
        return importFile(orm.em.fork(), path.join(dir, name), { actor: 'test' });
      };
      await write('orders.jsonl', [
        order('o-by-id', '2025-11-19T10:00:00+00:00'),
        order('o-by-client-id', '2025-11-19T10:01:00+00:00'),
      ]);
      const before = await failureAnalysis(orm.em.fork(), { from: '2025-11-19', to: '2025-11-19' });
      const result = await write('errors.jsonl', [
        error('2025-11-19T10:00:01+00:00', { order_id: 'o-by-id', symbol: 'QQQ' }),
        error('2025-11-19T10:01:01+00:00', { client_order_id: 'o-by-client-id', qty: 5 }),
        error('2025-11-19T10:02:01+00:00', { order_id: 'o-never-submitted' }),
        error('2025-11-19T10:03:01+00:00', { qty: 5 }),
      ]);
      expect(result.unlinked).toEqual({
        count: 2,
        named: [
          'errors.jsonl:3: names order "o-never-submitted", which is not recorded',
          'errors.jsonl:4: names no order (no order_id, at the top level or in order_data)',
        ],
      });
      expect(
        await query(`select d.decision_id, ${DECISION_STATUS} as status, e.status as execution,
               e.error_message, rq.external_id as request,
               rs.payload -> 'order_data' as response
        from trade_decisions d join trade_executions e on e.trade_decision_id = d.id
        left join api_payloads rq on rq.id = e.api_request_payload_id
        left join api_payloads rs on rs.id = e.api_response_payload_id
       where d.decision_id like 'o-by-%' order by d.decision_id`),
      ).toEqual([
        {
          decision_id: 'o-by-client-id',
          status: 'failed',
          execution: 'rejected',
          error_message: 'Insufficient buying power',
          request: 'o-by-client-id:request',
          response: { client_order_id: 'o-by-client-id', qty: 5 },
        },
        {
          decision_id: 'o-by-id',
          status: 'failed',
          execution: 'rejected',
          error_message: 'Insufficient buying power',
          request: 'o-by-id:request',
          response: { order_id: 'o-by-id', symbol: 'QQQ' },
        },
      ]);
      expect(
        await query(
          `select count(*)::int as n from audit_events where log_type = 'SYSTEM' and event = 'order_error'
          and occurred_at >= '2025-11-19'`,
        ),
      ).toEqual([{ n: 2 }]);
      const after = await failureAnalysis(orm.em.fork(), { from: '2025-11-19', to: '2025-11-19' });
      expect(after.total - before.total).toBe(2);
      // Importing the same errors again links the same way and adds nothing.
      const again = await write('errors.jsonl', [
        error('2025-11-19T10:00:01+00:00', { order_id: 'o-by-id', symbol: 'QQQ' }),
      ]);
      expect(again.counts.trade_executions).toEqual({ created: 0, unchanged: 1 });
    },
  );
});
