import { createReportFixture, DAY, DAY_BEFORE, type ReportFixture } from './harness/report-fixture';
import { startTestGateway, type TestGateway } from './harness/gateway';

describe('audit reports on a hand-built trail with known answers', () => {
  let gateway: TestGateway;
  let ids: ReportFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    ids = await createReportFixture(gateway.database.url);
  });
  afterAll(() => gateway.close());

  async function ask(query: string, variables: Record<string, unknown> = {}) {
    const result = await gateway.execute(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  it('dailySummary counts the day exactly and flags the failure rate', async () => {
    const { dailySummary } = await ask(
      `query($date: String!) { dailySummary(date: $date) {
      date ingestion { runs recordsFetched failed }
      decisionsByStatus { status count } executionsByStatus { status count }
      failureRate failureRateThreshold failureRateExceeded
      stuckThresholdMinutes stuckPendingCount stuckPendingOldest { decisionId }
      apiClientErrors apiServerErrors } }`,
      { date: DAY },
    );
    expect(dailySummary).toEqual({
      date: DAY,
      ingestion: { runs: 2, recordsFetched: 3, failed: 1 },
      decisionsByStatus: [
        { status: 'pending', count: 2 },
        { status: 'executed', count: 3 },
        { status: 'failed', count: 4 },
        { status: 'cancelled', count: 1 },
      ],
      executionsByStatus: [
        { status: 'submitted', count: 0 },
        { status: 'filled', count: 4 },
        { status: 'partially_filled', count: 0 },
        { status: 'rejected', count: 4 },
        { status: 'cancelled', count: 0 },
      ],
      failureRate: 0.4,
      failureRateThreshold: 0.3,
      failureRateExceeded: true,
      stuckThresholdMinutes: 60,
      stuckPendingCount: 1,
      stuckPendingOldest: [{ decisionId: 'd7' }],
      apiClientErrors: 3,
      apiServerErrors: 2,
    });
  });

  it(
    'dailySummary: a shorter stuck threshold catches the late pending decision; ' + 'an empty day has no rate',
    async () => {
      const { late, empty } = await ask(`{
      late: dailySummary(date: "${DAY}", stuckAfterMinutes: 30) { stuckPendingCount stuckPendingOldest { decisionId } }
      empty: dailySummary(date: "2026-01-01") { failureRate failureRateExceeded decisionsByStatus { count } }
    }`);
      expect(late).toEqual({ stuckPendingCount: 2, stuckPendingOldest: [{ decisionId: 'd7' }, { decisionId: 'd6' }] });
      expect(empty).toEqual({
        failureRate: null,
        failureRateExceeded: false,
        decisionsByStatus: [{ count: 0 }, { count: 0 }, { count: 0 }, { count: 0 }],
      });
    },
  );

  it('strategyPerformance: per strategy outcomes, success over decided decisions, under 50% flagged', async () => {
    const query = `query($from: String!, $to: String!, $strategy: String) {
      strategyPerformance(from: $from, to: $to, strategy: $strategy) {
      strategy decisions executed failed cancelled pending successRate belowThreshold } }`;
    const day = await ask(query, { from: DAY, to: DAY });
    expect(day.strategyPerformance).toEqual([
      {
        strategy: 'CongressionalTradingStrategy',
        decisions: 6,
        executed: 2,
        failed: 3,
        cancelled: 0,
        pending: 1,
        successRate: 0.4,
        belowThreshold: true,
      },
      {
        strategy: 'SectorRotationModel_v1',
        decisions: 4,
        executed: 1,
        failed: 1,
        cancelled: 1,
        pending: 1,
        successRate: 1 / 3,
        belowThreshold: true,
      },
    ]);
    const twoDays = await ask(query, { from: DAY_BEFORE, to: DAY, strategy: 'CongressionalTradingStrategy' });
    // 3 executed of 6 decided: exactly 50% is not under the line.
    expect(twoDays.strategyPerformance).toEqual([
      {
        strategy: 'CongressionalTradingStrategy',
        decisions: 7,
        executed: 3,
        failed: 3,
        cancelled: 0,
        pending: 1,
        successRate: 0.5,
        belowThreshold: false,
      },
    ]);
  });

  it('failureAnalysis groups rejections by reason, raw message, strategy and the symbol sent', async () => {
    const { failureAnalysis } = await ask(`{ failureAnalysis(from: "${DAY}", to: "${DAY}") {
      total byReason { key count } otherMessages { key count }
      byStrategy { key count } bySymbol { key count } repeatedlyFailingSymbols } }`);
    expect(failureAnalysis).toEqual({
      total: 4,
      byReason: [
        { key: 'insufficient buying power', count: 1 },
        { key: 'market closed', count: 1 },
        { key: 'other', count: 1 },
        { key: 'rate limit', count: 1 },
        { key: 'invalid symbol', count: 0 },
      ],
      otherMessages: [{ key: 'weird broker glitch', count: 1 }],
      byStrategy: [
        { key: 'CongressionalTradingStrategy', count: 3 },
        { key: 'SectorRotationModel_v1', count: 1 },
      ],
      bySymbol: [
        { key: 'AAPL', count: 3 },
        { key: 'NVDA', count: 1 },
      ],
      repeatedlyFailingSymbols: ['AAPL'],
    });
  });

  it('symbolReport lists decisions, executions and position changes with the running quantity', async () => {
    const { symbolReport } = await ask(`{ symbolReport(symbol: "nvda", from: "${DAY_BEFORE}", to: "${DAY}") {
      symbol decisions { decisionId } executions { executionId status }
      positionChanges { executionId account change quantityAfter } truncated } }`);
    expect(symbolReport).toEqual({
      symbol: 'NVDA',
      decisions: [{ decisionId: 'd0' }, { decisionId: 'd1' }, { decisionId: 'd2' }, { decisionId: 'd7' }],
      executions: [
        { executionId: 'e0', status: 'filled' },
        { executionId: 'e1', status: 'filled' },
        { executionId: 'e2', status: 'rejected' },
      ],
      positionChanges: [
        { executionId: 'e0', account: 'PA-0001', change: '2.00000000', quantityAfter: '2.00000000' },
        { executionId: 'e1', account: 'PA-0001', change: '10.00000000', quantityAfter: '12.00000000' },
      ],
      truncated: false,
    });
    const limited = await ask(
      `{ symbolReport(symbol: "NVDA", from: "${DAY_BEFORE}", to: "${DAY}", limit: 1) { decisions { decisionId } ` +
        `truncated } }`,
    );
    expect(limited.symbolReport).toEqual({ decisions: [{ decisionId: 'd0' }], truncated: true });
  });

  it('apiErrors groups error responses by provider, endpoint and status', async () => {
    const { apiErrors } = await ask(
      `{ apiErrors(since: "${DAY}T00:00:00Z", until: "${DAY}T23:59:59Z") { ` +
        `provider endpoint httpStatus count firstSeen } }`,
    );
    expect(apiErrors).toEqual([
      { provider: 'alpaca', endpoint: '/v2/bars', httpStatus: 503, count: 1, firstSeen: `${DAY}T10:00:01.000000Z` },
      { provider: 'alpaca', endpoint: '/v2/orders', httpStatus: 403, count: 1, firstSeen: `${DAY}T09:10:01.000000Z` },
      { provider: 'alpaca', endpoint: '/v2/orders', httpStatus: 422, count: 1, firstSeen: `${DAY}T10:40:01.000000Z` },
      { provider: 'alpaca', endpoint: '/v2/orders', httpStatus: 429, count: 1, firstSeen: `${DAY}T09:20:01.000000Z` },
      { provider: 'alpaca', endpoint: '/v2/orders', httpStatus: 500, count: 1, firstSeen: `${DAY}T10:30:01.000000Z` },
    ]);
  });

  it('tradeBlotter lists every fill of the day, a fill with no decision included, also as CSV', async () => {
    const { tradeBlotter, tradeBlotterCsv } = await ask(`{
      tradeBlotter(date: "${DAY}") { time executionId symbol side quantity
        price commission broker brokerOrderId strategy }
      tradeBlotterCsv(date: "${DAY}") }`);
    expect(tradeBlotter).toEqual([
      {
        time: `${DAY}T09:00:02.000000Z`,
        executionId: 'e1',
        symbol: 'NVDA',
        side: 'buy',
        quantity: '10.00000000',
        price: '100.00000000',
        commission: '0.50000000',
        broker: 'alpaca',
        brokerOrderId: 'order-e1',
        strategy: 'CongressionalTradingStrategy',
      },
      {
        time: `${DAY}T11:00:02.000000Z`,
        executionId: 'e5',
        symbol: 'TSLA',
        side: 'buy',
        quantity: '1.00000000',
        price: '200.00000000',
        commission: '0.00000000',
        broker: null,
        brokerOrderId: null,
        strategy: 'SectorRotationModel_v1',
      },
      {
        time: `${DAY}T11:00:04.000000Z`,
        executionId: 'e5b',
        symbol: 'TSLA',
        side: 'buy',
        quantity: '1.00000000',
        price: '201.00000000',
        commission: '0.00000000',
        broker: 'alpaca',
        brokerOrderId: null,
        strategy: 'SectorRotationModel_v1',
      },
      {
        time: `${DAY}T13:00:02.000000Z`,
        executionId: 'e6',
        symbol: 'MSFT',
        side: 'buy',
        quantity: '2.00000000',
        price: '50.00000000',
        commission: '0.10000000',
        broker: 'alpaca',
        brokerOrderId: null,
        strategy: null,
      },
    ]);
    expect(tradeBlotterCsv.split('\n')).toEqual([
      'time,executionId,symbol,side,quantity,price,commission,broker,brokerOrderId,strategy',
      `${DAY}T09:00:02.000000Z,e1,NVDA,buy,10.00000000,100.00000000,0.50000000,alpaca,order-e1,` +
        `CongressionalTradingStrategy`,
      `${DAY}T11:00:02.000000Z,e5,TSLA,buy,1.00000000,200.00000000,0.00000000,,,SectorRotationModel_v1`,
      `${DAY}T11:00:04.000000Z,e5b,TSLA,buy,1.00000000,201.00000000,0.00000000,alpaca,,SectorRotationModel_v1`,
      `${DAY}T13:00:02.000000Z,e6,MSFT,buy,2.00000000,50.00000000,0.10000000,alpaca,,`,
      '',
    ]);
  });

  it('integrityReport finds every planted defect once, with ids and a hop into the lineage', async () => {
    const { integrityReport } = await ask(`{ integrityReport(from: "2026-10-01", to: "2026-10-31") {
      clean totalFindings findings { check count
        items { type databaseId externalId detail id node { __typename id } } } } }`);
    const byCheck = Object.fromEntries(integrityReport.findings.map((finding: any) => [finding.check, finding]));
    const refs = (check: string) =>
      byCheck[check].items.map((item: any) => `${item.type}:${item.externalId ?? item.databaseId}`);
    expect(integrityReport.findings.map((finding: any) => [finding.check, finding.count])).toEqual([
      ['DECISION_WITHOUT_RATIONALE', 1],
      ['EXECUTION_MISSING_PAYLOAD', 1],
      ['EXECUTION_WITHOUT_DECISION', 1],
      ['DUPLICATE_EXECUTIONS', 1],
      ['STALE_PENDING_DECISION', 2],
      ['EXECUTED_WITHOUT_FILL', 1],
      ['POSITION_QUANTITY_MISMATCH', 1],
      ['UNREFERENCED_PAYLOAD', 1],
    ]);
    expect({ clean: integrityReport.clean, total: integrityReport.totalFindings }).toEqual({ clean: false, total: 9 });
    expect(refs('DECISION_WITHOUT_RATIONALE')).toEqual(['TradeDecision:d5']);
    expect(byCheck.EXECUTION_MISSING_PAYLOAD.items[0]).toMatchObject({
      externalId: 'e5',
      detail: 'no request payload',
    });
    expect(refs('EXECUTION_WITHOUT_DECISION')).toEqual(['TradeExecution:e6']);
    expect(byCheck.DUPLICATE_EXECUTIONS.items[0]).toMatchObject({ externalId: 'd5', detail: '2 executions: e5, e5b' });
    expect(refs('STALE_PENDING_DECISION')).toEqual(['TradeDecision:d7', 'TradeDecision:d6']);
    expect(refs('EXECUTED_WITHOUT_FILL')).toEqual(['TradeDecision:d8']);
    expect(byCheck.POSITION_QUANTITY_MISMATCH.items[0]).toMatchObject({
      databaseId: ids['position-msft'],
      detail: 'MSFT PA-0003: opened at 5.00000000 as recorded, its first fill is 2.00000000 @ 50.00000000',
    });
    expect(refs('UNREFERENCED_PAYLOAD')).toEqual([`ApiPayload:${ids.orphan}`]);
    // Every item's node is the record itself, reachable by its global id.
    for (const finding of integrityReport.findings) {
      for (const item of finding.items) expect(item.node).toEqual({ __typename: item.type, id: item.id });
    }
  });

  it('integrityReport: limit caps the items, never the counts; a clean period is clean', async () => {
    const { limited, quiet } = await ask(`{
      limited: integrityReport(from: "2026-10-01", to: "2026-10-31", limit: 1)
        { findings { check count items { externalId } } }
      quiet: integrityReport(quarter: "2026Q1") { clean totalFindings findings { count } }
    }`);
    const stale = limited.findings.find((finding: any) => finding.check === 'STALE_PENDING_DECISION');
    expect(stale).toEqual({ check: 'STALE_PENDING_DECISION', count: 2, items: [{ externalId: 'd7' }] });
    expect(quiet).toEqual({ clean: true, totalFindings: 0, findings: Array(8).fill({ count: 0 }) });
  });

  it('runs on sessions with JIT compilation off (it costs more than these statements)', async () => {
    const [setting] = await gateway.orm.em.fork().getConnection().execute<{ jit: string }[]>('show jit');
    expect(setting).toEqual({ jit: 'off' });
  });

  describe('refuses bad arguments with BAD_USER_INPUT', () => {
    it.each([
      ['an impossible date', `{ dailySummary(date: "2026-02-30") { date } }`, /`date` must be a date as YYYY-MM-DD/],
      [
        'a timestamp for a date',
        `{ tradeBlotter(date: "2026-10-15T00:00:00Z") { executionId } }`,
        /`date` must be a date/,
      ],
      [
        'from after to',
        `{ strategyPerformance(from: "2026-10-16", to: "2026-10-15") { strategy } }`,
        /`from` \(2026-10-16\) must not be after `to`/,
      ],
      [
        'a threshold of zero',
        `{ dailySummary(date: "${DAY}", stuckAfterMinutes: 0) { date } }`,
        /`stuckAfterMinutes` must be/,
      ],
      [
        'SQL as a symbol',
        `{ symbolReport(symbol: "NVDA'; drop table positions; --", from: "${DAY}", to: "${DAY}") { symbol } }`,
        /`symbol` must be a ticker/,
      ],
      [
        'a huge limit',
        `{ symbolReport(symbol: "NVDA", from: "${DAY}", to: "${DAY}", limit: 100000) { symbol } }`,
        /`limit` must be from 1 to 10000/,
      ],
      [
        'until before since',
        `{ apiErrors(since: "2026-10-16T00:00:00Z", until: "2026-10-15T00:00:00Z") { count } }`,
        /`since` must be before `until`/,
      ],
      ['a malformed quarter', `{ integrityReport(quarter: "2026Q5") { clean } }`, /`quarter` must look like 2026Q3/],
      [
        'quarter and dates together',
        `{ integrityReport(quarter: "2026Q3", from: "2026-07-01", to: "2026-07-02") { clean } }`,
        /either `quarter` or `from` and `to`/,
      ],
      ['no period at all', `{ integrityReport { clean } }`, /pass `quarter`, or both `from` and `to`/],
      [
        'a negative limit',
        `{ integrityReport(quarter: "2026Q3", limit: -1) { clean } }`,
        /`limit` must be from 0 to 10000/,
      ],
    ])('%s', async (_name, query, message) => {
      const result = await gateway.execute(query);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(result.errors![0]!.message).toMatch(message);
    });
  });
});
