import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './harness/cli';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

const ORDER = {
  timestamp: '2025-11-18T14:30:00.123456+00:00',
  event_type: 'order_submitted',
  order_id: 'abc123-def456-789',
  symbol: 'SPY',
  side: 'buy',
  quantity: 10.0,
  price: 666.23,
  order_type: 'market',
  status: 'accepted',
  nav: 100000.0,
  model: 'SectorRotationModel_v1',
};
const ORDER_2 = {
  ...ORDER,
  timestamp: '2025-11-18T14:31:00+00:00',
  order_id: 'o-2',
  symbol: 'QQQ',
  side: 'sell',
  quantity: 5,
};
const TRADE = {
  timestamp: '2025-11-18T14:30:05.234567+00:00',
  event_type: 'trade_executed',
  order_id: 'abc123-def456-789',
  symbol: 'SPY',
  side: 'buy',
  quantity: 10.0,
  price: 666.25,
  value: 6662.5,
  new_position: 10.0,
  nav: 100000.0,
};
const CYCLE = {
  timestamp: '2025-11-18T14:30:10.345678+00:00',
  event_type: 'cycle_complete',
  nav: 106234.56,
  cash: 43567.89,
  positions_count: 1,
  positions: { SPY: 10.0 },
  buying_power: 87123.45,
  cycle_timestamp: '2025-11-18T14:00:00+00:00',
};
const ERRORS = [
  {
    timestamp: '2025-11-18T14:30:15.456789+00:00',
    event_type: 'order_error',
    symbol: 'SPY',
    side: 'buy',
    quantity: 10.0,
    error: 'Insufficient buying power',
    order_data: { qty: 10 },
  },
  {
    timestamp: '2025-11-18T14:32:15+00:00',
    event_type: 'order_error',
    order_id: 'o-2',
    symbol: 'QQQ',
    side: 'sell',
    quantity: 5,
    error: 'Market closed',
  },
];

const jsonl = (lines: object[]) => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;

/** `auditgraph import`: the trading bot's JSONL audit logs into the record, whole files or nothing. */
describe('auditgraph import', () => {
  let database: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  function counts(): Promise<Record<string, number>> {
    return withClient(database.url, async (client) => {
      const tables = ['trade_decisions', 'trade_executions', 'api_payloads', 'positions', 'audit_events'];
      const { rows } = await client.query<{ t: string; n: number }>(
        tables.map((table) => `select '${table}' as t, count(*)::int as n from ${table}`).join(' union all '),
      );
      return Object.fromEntries(rows.map((row) => [row.t, row.n]));
    });
  }
  const file = (name: string) => path.join(dir, name);
  /** Imports one file named `name` holding `text`, from a directory of its own that is removed afterwards. */
  async function importAlone(name: string, text: string) {
    const alone = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-import-bad-'));
    try {
      await writeFile(path.join(alone, name), text);
      return await runCli(['import', path.join(alone, name)], env);
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'auditgraph-import-test-'));
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
    await writeFile(file('orders.jsonl'), jsonl([ORDER, ORDER_2]));
    await writeFile(file('trades.jsonl'), jsonl([TRADE]));
    await writeFile(file('performance.jsonl'), jsonl([CYCLE]));
    await writeFile(file('errors.jsonl'), jsonl(ERRORS));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('imports the four logs, in dependency order whatever the order given, with no progress for so short a run', async () => {
    const result = await runCli(
      [
        'import',
        file('errors.jsonl'),
        file('trades.jsonl'),
        file('performance.jsonl'),
        file('orders.jsonl'),
        '--actor',
        'ops',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').map((line) => line.split(':')[0])).toEqual([
      'orders.jsonl',
      'trades.jsonl',
      'performance.jsonl',
      'errors.jsonl',
      'errors.jsonl',
      '  errors.jsonl',
      '',
    ]);
    // The rejection of o-2 is linked to its order; the first error names none, and the summary says so.
    expect(result.stdout).toContain(
      'errors.jsonl: 1 lines linked to no order, kept as SYSTEM events:\n  errors.jsonl:1: names no order',
    );
    expect(result.stdout).toMatch(
      /^orders\.jsonl: 2 lines in [\d.]+ s \(\d+ lines\/s\): api_payloads \+2, trade_decisions \+2$/m,
    );
    expect(result.stdout).toMatch(
      /^trades\.jsonl: 1 lines .*: api_payloads \+1, positions \+1, trade_executions \+1, audit_events \+1$/m,
    );
    // Progress is drawn only for work longer than a second, on a terminal or with --progress.
    expect(result.stderr).toBe('');
    expect(await counts()).toEqual({
      trade_decisions: 2,
      trade_executions: 2,
      api_payloads: 4,
      positions: 1,
      // The events the lines make, and nothing else: no records_written bookkeeping since the chain was retired.
      audit_events: 4,
    });
    expect((await runCli(['integrate'], env)).code).toBe(0);
    expect((await runCli(['verify'], env)).code).toBe(0);
  });

  it(
    'maps each line to the lineage: decision, broker payloads, execution, position, status change, snapshot, ' +
      'rejection',
    async () => {
      await withClient(database.url, async (client) => {
        const {
          rows: [decision],
        } = await client.query(
          `select d.strategy, d.quantity, ${
            "coalesce((select e.event_data->>'to' from audit_events e " +
            "where e.event = 'status_changed' and e.subject_id = d.id order by seq desc limit 1), d.status)"
          } as status
          from trade_decisions d where decision_id = 'abc123-def456-789'`,
        );
        expect(decision).toEqual({ strategy: 'SectorRotationModel_v1', quantity: '10.00000000', status: 'executed' });
        const {
          rows: [execution],
        } = await client.query(`select e.status, e.fill_price, p.quantity as position,
                    rq.payload->>'order_id' as request, rs.payload->>'price' as response
        from trade_executions e join positions p on p.id = e.position_id
        join api_payloads rq on rq.id = e.api_request_payload_id
        join api_payloads rs on rs.id = e.api_response_payload_id
        where e.status = 'filled'`);
        expect(execution).toEqual({
          status: 'filled',
          fill_price: '666.25000000',
          position: '10.00000000',
          request: 'abc123-def456-789',
          response: '666.25',
        });
        const {
          rows: [rejected],
        } = await client.query(`select status, error_message from trade_executions where status = 'rejected'`);
        expect(rejected).toEqual({ status: 'rejected', error_message: 'Market closed' });
        const { rows: events } = await client.query(`select log_type, event, actor from audit_events order by seq`);
        expect(events).toEqual([
          { log_type: 'TRADE', event: 'status_changed', actor: 'ops' },
          { log_type: 'NAV', event: 'position_snapshot', actor: 'ops' },
          { log_type: 'SYSTEM', event: 'order_error', actor: 'ops' },
          { log_type: 'TRADE', event: 'status_changed', actor: 'ops' },
        ]);
      });
    },
  );

  it('adds nothing when the same files are imported again', async () => {
    const before = await counts();
    const result = await runCli(
      ['import', file('orders.jsonl'), file('trades.jsonl'), file('performance.jsonl'), file('errors.jsonl')],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^orders\.jsonl: .*: api_payloads \+0 \(2 already recorded\), trade_decisions \+0 \(2 already recorded\)$/m,
    );
    expect(await counts()).toEqual(before);
  });

  it.each([
    [
      'a bad value on line 3',
      [ORDER, { ...ORDER_2, order_id: 'n-1' }, { ...ORDER, order_id: 'n-2', quantity: 'ten' }],
      'orders.jsonl:3: "quantity" must be a positive number; got "ten"',
    ],
    ['invalid JSON', [ORDER, '{"event_type": "order_submitted", '], 'orders.jsonl:2: not valid JSON'],
    [
      'an unknown event_type',
      [{ ...ORDER, event_type: 'order_teleported' }],
      'orders.jsonl:1: unknown event_type "order_teleported": expected order_submitted, trade_executed, ' +
        'cycle_complete or an error (*_error)',
    ],
    ['a line that is not an object', [[1, 2, 3]], 'orders.jsonl:1: must be a JSON object'],
    [
      'a timestamp without a time zone',
      [{ ...ORDER, order_id: 'n-3', timestamp: '2025-11-18 14:30' }],
      'orders.jsonl:1: "timestamp" must be an ISO 8601 timestamp with a time zone',
    ],
    [
      'a side that is neither',
      [{ ...ORDER, order_id: 'n-4', side: "buy'; drop table trade_decisions; --" }],
      'orders.jsonl:1: "side" must be buy or sell',
    ],
    [
      'an order recorded before with other content',
      [
        { ...ORDER_2, order_id: 'n-5' },
        { ...ORDER, quantity: 12 },
      ],
      'orders.jsonl:2: api_payloads abc123-def456-789:request is already recorded with different content ' +
        '(payload.quantity: 10 recorded, 12 now)',
    ],
  ])('imports nothing from a file with %s, and says file:line what is wrong', async (_what, lines, message) => {
    const before = await counts();
    const result = await importAlone(
      'orders.jsonl',
      lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/^auditgraph: orders\.jsonl was not imported \(nothing from it was written\)$/m);
    expect(await counts()).toEqual(before);
  });

  it('lists the problems of a long file in line order, those the database finds among them', async () => {
    // Batches are written while the next is read: the conflict on line 2,500 is found by the
    // database after line 4,600 was already refused by the parser.
    const lines = Array.from({ length: 5_000 }, (_, index) =>
      JSON.stringify({ ...ORDER_2, order_id: `long-${index + 1}` }),
    );
    lines[2_499] = JSON.stringify({ ...ORDER, quantity: 12 });
    lines[4_599] = '{"event_type": "order_submitted"';
    const before = await counts();
    const result = await importAlone('orders.jsonl', lines.join('\n'));
    expect(result.code).toBe(1);
    const problems = result.stderr.split('\n').filter((line) => /orders\.jsonl:\d+:/.test(line));
    expect(problems[0]).toContain(
      'orders.jsonl:2500: api_payloads abc123-def456-789:request is already recorded with different content',
    );
    expect(problems[1]).toContain('orders.jsonl:4600: not valid JSON');
    expect(await counts()).toEqual(before);
  });

  it('refuses a trade whose order was never imported', async () => {
    const result = await importAlone('trades.jsonl', jsonl([{ ...TRADE, order_id: 'ghost' }]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'trades.jsonl:1: trade_decision_id names trade_decisions "ghost", which is not recorded',
    );
  });

  it('exits 2 for a file that does not exist', async () => {
    const result = await runCli(['import', file('nope.jsonl')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no such file: .*nope\.jsonl/);
  });
});
