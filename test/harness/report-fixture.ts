import pg from 'pg';

/**
 * A small trail with every answer known by hand, for the report tests. The
 * day under test is 2026-10-15 (UTC); one trade on 2026-10-14 lies outside
 * single-day reports and inside two-day ones. Comments give what each row
 * adds to which report.
 */
export const DAY = '2026-10-15';
export const DAY_BEFORE = '2026-10-14';

const S1 = 'CongressionalTradingStrategy';
const S2 = 'SectorRotationModel_v1';
const at = (time: string, day = DAY) => `${day}T${time}Z`;

export type ReportFixture = Record<string, string>;

export async function createReportFixture(url: string): Promise<ReportFixture> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const ids: ReportFixture = {};
  const insert = async (name: string, table: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const { rows } = await client.query<{ id: string }>(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, index) => `$${index + 1}`).join(', ')})
        returning id::text`,
      Object.values(row).map((value) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)),
    );
    ids[name] = rows[0]!.id;
    return rows[0]!.id;
  };
  const run = (name: string, row: Record<string, unknown>) =>
    insert(name, 'data_ingestion_runs', {
      task_name: 'data_fetch:congress_daily',
      source: 'quiverquant',
      metadata: {},
      run_id: name,
      ...row,
    });
  const payload = (name: string, row: Record<string, unknown>) =>
    insert(name, 'api_payloads', {
      provider: 'alpaca',
      endpoint: '/v2/orders',
      http_method: 'POST',
      payload: {},
      payload_bytes: 2,
      ...row,
    });
  const decision = (name: string, row: Record<string, unknown>) =>
    insert(name, 'trade_decisions', {
      decision_id: name,
      order_type: 'market',
      decision_rationale: { signal: 'congress_buy', score: 0.8 },
      ...row,
    });
  /** An execution with its broker request and response, unless told otherwise. */
  const execution = async (
    name: string,
    row: Record<string, unknown>,
    broker: { symbol: string; side: string; status: number | null; request?: boolean },
  ) => {
    const created = row.created_at as string;
    const request =
      broker.request === false
        ? null
        : await payload(`${name}-request`, {
            direction: 'request',
            payload: { symbol: broker.symbol, side: broker.side },
            created_at: created,
          });
    const response =
      broker.status === null
        ? null
        : await payload(`${name}-response`, {
            direction: 'response',
            http_status: broker.status,
            payload: { status: broker.status },
            created_at: created,
          });
    return insert(name, 'trade_executions', {
      execution_id: name,
      api_request_payload_id: request,
      api_response_payload_id: response,
      ...row,
    });
  };

  try {
    // Ingestion on the day: 2 runs, 3 records fetched, 1 failed (with a 503 from the provider).
    await run('run-a', {
      status: 'succeeded',
      records_fetched: 3,
      started_at: at('08:00:00'),
      created_at: at('08:00:00'),
    });
    for (const index of [1, 2, 3]) {
      await payload(`fetched-${index}`, {
        ingestion_run_id: ids['run-a'],
        direction: 'response',
        provider: 'quiverquant',
        endpoint: '/beta/live/congresstrading',
        http_method: 'GET',
        http_status: 200,
        created_at: at('08:01:00'),
      });
    }
    await run('run-b', {
      task_name: 'data_fetch:market_bars',
      source: 'alpaca',
      status: 'failed',
      records_fetched: 0,
      started_at: at('10:00:00'),
      created_at: at('10:00:00'),
    });
    await payload('bars-503', {
      ingestion_run_id: ids['run-b'],
      direction: 'response',
      endpoint: '/v2/bars',
      http_method: 'GET',
      http_status: 503,
      created_at: at('10:00:01'),
    });
    // The day before: one run, outside the day.
    await run('run-0', {
      status: 'succeeded',
      records_fetched: 5,
      started_at: at('08:00:00', DAY_BEFORE),
      created_at: at('08:00:00', DAY_BEFORE),
    });

    const positions = {
      nvda: await insert('position-nvda', 'positions', {
        account: 'PA-0001',
        symbol: 'NVDA',
        quantity: '2',
        status: 'open',
        opened_at: at('09:00:05', DAY_BEFORE),
      }),
      tsla: await insert('position-tsla', 'positions', {
        account: 'PA-0002',
        symbol: 'TSLA',
        quantity: '1',
        status: 'open',
        opened_at: at('11:00:05'),
      }),
      // Recorded as opened at 5, but its first (and only) fill is 2: the mismatch. The others
      // record their opening fill.
      msft: await insert('position-msft', 'positions', {
        account: 'PA-0003',
        symbol: 'MSFT',
        quantity: '5',
        status: 'open',
        opened_at: at('13:00:05'),
      }),
    };

    // The day before: an executed NVDA buy of 2 (position NVDA → 2).
    await decision('d0', {
      strategy: S1,
      symbol: 'NVDA',
      side: 'buy',
      quantity: '2',
      status: 'executed',
      created_at: at('09:00:00', DAY_BEFORE),
    });
    await execution(
      'e0',
      {
        trade_decision_id: ids.d0,
        position_id: positions.nvda,
        status: 'filled',
        filled_quantity: '2',
        fill_price: '99',
        commission: '0',
        created_at: at('09:00:01', DAY_BEFORE),
        filled_at: at('09:00:02', DAY_BEFORE),
      },
      { symbol: 'NVDA', side: 'buy', status: 200 },
    );

    // The day: 10 decisions — pending 2, executed 3, failed 4, cancelled 1.
    await decision('d1', {
      strategy: S1,
      symbol: 'NVDA',
      side: 'buy',
      quantity: '10',
      status: 'executed',
      created_at: at('09:00:00'),
    });
    await execution(
      'e1',
      {
        trade_decision_id: ids.d1,
        position_id: positions.nvda,
        status: 'filled',
        filled_quantity: '10',
        fill_price: '100',
        commission: '0.5',
        broker_order_id: 'order-e1',
        created_at: at('09:00:01'),
        filled_at: at('09:00:02'),
      },
      { symbol: 'NVDA', side: 'buy', status: 200 },
    );
    await decision('d2', {
      strategy: S1,
      symbol: 'NVDA',
      side: 'buy',
      quantity: '5',
      status: 'failed',
      created_at: at('09:10:00'),
    });
    await execution(
      'e2',
      {
        trade_decision_id: ids.d2,
        status: 'rejected',
        filled_quantity: '0',
        error_message: 'insufficient buying power',
        created_at: at('09:10:01'),
      },
      { symbol: 'NVDA', side: 'buy', status: 403 },
    );
    await decision('d3', {
      strategy: S1,
      symbol: 'AAPL',
      side: 'sell',
      quantity: '3',
      status: 'failed',
      created_at: at('09:20:00'),
    });
    await execution(
      'e3',
      {
        trade_decision_id: ids.d3,
        status: 'rejected',
        filled_quantity: '0',
        error_message: 'rate limit exceeded',
        created_at: at('09:20:01'),
      },
      { symbol: 'AAPL', side: 'sell', status: 429 },
    );
    await decision('d7', {
      strategy: S1,
      symbol: 'NVDA',
      side: 'buy',
      quantity: '1',
      status: 'pending',
      created_at: at('09:30:00'),
    });
    await decision('d4', {
      strategy: S2,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '2',
      status: 'failed',
      created_at: at('10:30:00'),
    });
    await execution(
      'e4',
      {
        trade_decision_id: ids.d4,
        status: 'rejected',
        filled_quantity: '0',
        error_message: 'weird broker glitch',
        created_at: at('10:30:01'),
      },
      { symbol: 'AAPL', side: 'buy', status: 500 },
    );
    await decision('d10', {
      strategy: S1,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      status: 'failed',
      created_at: at('10:40:00'),
    });
    await execution(
      'e8',
      {
        trade_decision_id: ids.d10,
        status: 'rejected',
        filled_quantity: '0',
        error_message: 'market is closed; order rejected outside trading hours',
        created_at: at('10:40:01'),
      },
      { symbol: 'AAPL', side: 'buy', status: 422 },
    );
    // No rationale, two fills (a duplicate), the first without its broker request.
    await decision('d5', {
      strategy: S2,
      symbol: 'TSLA',
      side: 'buy',
      quantity: '1',
      status: 'executed',
      decision_rationale: null,
      created_at: at('11:00:00'),
    });
    await execution(
      'e5',
      {
        trade_decision_id: ids.d5,
        position_id: positions.tsla,
        status: 'filled',
        filled_quantity: '1',
        fill_price: '200',
        commission: '0',
        created_at: at('11:00:01'),
        filled_at: at('11:00:02'),
      },
      { symbol: 'TSLA', side: 'buy', status: 200, request: false },
    );
    await execution(
      'e5b',
      {
        trade_decision_id: ids.d5,
        position_id: positions.tsla,
        status: 'filled',
        filled_quantity: '1',
        fill_price: '201',
        commission: '0',
        created_at: at('11:00:03'),
        filled_at: at('11:00:04'),
      },
      { symbol: 'TSLA', side: 'buy', status: 200 },
    );
    // Executed, and nothing ever filled.
    await decision('d8', {
      strategy: S1,
      symbol: 'MSFT',
      side: 'buy',
      quantity: '7',
      status: 'executed',
      created_at: at('12:00:00'),
    });
    await decision('d9', {
      strategy: S2,
      symbol: 'MSFT',
      side: 'buy',
      quantity: '3',
      status: 'cancelled',
      created_at: at('12:30:00'),
    });
    // A fill no decision ordered.
    await execution(
      'e6',
      {
        position_id: positions.msft,
        status: 'filled',
        filled_quantity: '2',
        fill_price: '50',
        commission: '0.1',
        created_at: at('13:00:01'),
        filled_at: at('13:00:02'),
      },
      { symbol: 'MSFT', side: 'buy', status: 200 },
    );
    // Pending, made exactly one hour before the day's end: not yet stuck at the 60-minute threshold.
    await decision('d6', {
      strategy: S2,
      symbol: 'TSLA',
      side: 'buy',
      quantity: '4',
      status: 'pending',
      created_at: at('23:00:00'),
    });
    // A broker request nothing refers to.
    await payload('orphan', { direction: 'request', created_at: at('12:00:00') });
    return ids;
  } finally {
    await client.end();
  }
}
