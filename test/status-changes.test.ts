import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

/** Lifecycle changes are appended events; the status every query shows is derived from them. */
describe('status changes: appended, never updated, and what queries show', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let other: TradeFixture;

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 1 });
    other = await createTrade(gateway.orm.em.fork(), { executionCount: 1 });
    await appendStatusChange(gateway.database.url, {
      table: 'trade_decisions',
      id: trade.decision.id,
      to: 'cancelled',
      actor: 'ops-desk',
    });
    await appendStatusChange(gateway.database.url, {
      table: 'trade_executions',
      id: trade.executions[0]!.id,
      to: 'partially_filled',
      actor: 'broker-sync',
    });
    await appendStatusChange(gateway.database.url, {
      table: 'trade_executions',
      id: trade.executions[0]!.id,
      to: 'cancelled',
      actor: 'broker-sync',
    });
  });
  afterAll(() => gateway.close());

  it(
    'shows the latest status change on lookups, nested lists and lists, ' + 'and the row as written otherwise',
    async () => {
      const result = await gateway.execute<any>(
        `query ($id: ID!, $other: ID!) {
        decision(id: $id) { status executions { nodes { status } } }
        otherDecision: decision(id: $other) { status }
        executions(first: 10) { nodes { databaseId status } }
      }`,
        { id: trade.decision.nodeId, other: other.decision.nodeId },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.decision).toEqual({ status: 'cancelled', executions: { nodes: [{ status: 'cancelled' }] } });
      expect(result.data.otherDecision).toEqual({ status: 'executed' });
      const statuses = Object.fromEntries(
        result.data.executions.nodes.map((node: any) => [node.databaseId, node.status]),
      );
      expect(statuses).toEqual({ [trade.executions[0]!.id]: 'cancelled', [other.executions[0]!.id]: 'filled' });
    },
  );

  it('filters lists by the current status, not the one written', async () => {
    const result = await gateway.execute<any>(`{
      cancelled: decisions(filter: { status: cancelled }) { nodes { databaseId } }
      executed: decisions(filter: { status: executed }) { nodes { databaseId } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.cancelled.nodes).toEqual([{ databaseId: trade.decision.id }]);
    expect(result.data.executed.nodes).toEqual([{ databaseId: other.decision.id }]);
  });

  it('lists the changes as events on the node, with actor and number, and in the event log', async () => {
    const result = await gateway.execute<any>(
      `query ($id: ID!) {
        execution(id: $id) { events { nodes { seq logType event eventData actor
          subject { id } previousHash chainHash } } }
        auditEvents(filter: { event: "status_changed", data: { contains: { to: "cancelled" } } })
        { nodes { subject { id } } }
      }`,
      { id: trade.executions[0]!.nodeId },
    );
    expect(result.errors).toBeUndefined();
    const events = result.data.execution.events.nodes;
    expect(events.map((event: any) => event.eventData.to)).toEqual(['partially_filled', 'cancelled']);
    expect(events[1]).toMatchObject({
      logType: 'TRADE',
      event: 'status_changed',
      actor: 'broker-sync',
      subject: { id: trade.executions[0]!.nodeId },
      // Written since the chain was retired: no chain link; the Merkle tree proves them.
      previousHash: null,
      chainHash: null,
    });
    expect(Number(events[1].seq)).toBeGreaterThan(Number(events[0].seq));
    expect(result.data.auditEvents.nodes.map((node: any) => node.subject.id).sort()).toEqual(
      [trade.decision.nodeId, trade.executions[0]!.nodeId].sort(),
    );
  });

  it('counts current statuses in the reports, the same SQL the CLI runs', async () => {
    const result = await gateway.execute<any>(`{
      dailySummary(date: "2026-10-01") { decisionsByStatus { status count } executionsByStatus { status count } }
      strategyPerformance(from: "2026-10-01", to: "2026-10-01") { decisions executed cancelled }
      symbolReport(symbol: "NVDA", from: "2026-10-01", to: "2026-10-01") { decisions { status } executions { status } }
    }`);
    expect(result.errors).toBeUndefined();
    const count = (list: { status: string; count: number }[], status: string) =>
      list.find((entry) => entry.status === status)!.count;
    expect(count(result.data.dailySummary.decisionsByStatus, 'cancelled')).toBe(1);
    expect(count(result.data.dailySummary.decisionsByStatus, 'executed')).toBe(1);
    expect(count(result.data.dailySummary.executionsByStatus, 'cancelled')).toBe(1);
    expect(result.data.strategyPerformance).toEqual([{ decisions: 2, executed: 1, cancelled: 1 }]);
    expect(result.data.symbolReport.decisions.map((decision: any) => decision.status).sort()).toEqual([
      'cancelled',
      'executed',
    ]);
    expect(result.data.symbolReport.executions.map((execution: any) => execution.status).sort()).toEqual([
      'cancelled',
      'filled',
    ]);
  });

  it('refuses a malformed subject id and an invalid JSON path in the event filter', async () => {
    const badSubject = await gateway.execute(
      `{ auditEvents(filter: { subject: "'; drop table audit_events; --" }) { nodes { seq } } }`,
    );
    expect(badSubject.errors![0]).toMatchObject({
      message: '`filter.subject` is not a valid id: use an `id` returned by this API',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const badPath = await gateway.execute(
      `{ auditEvents(filter: { data: { jsonPath: "$$$ ==" } }) { nodes { seq } } }`,
    );
    expect(badPath.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const badWindow = await gateway.execute(
      `{ auditEvents(filter: { occurredFrom: "2026-02-01T00:00:00Z", occurredTo: "2026-01-01T00:00:00Z" }) { ` +
        `nodes { seq } } }`,
    );
    expect(badWindow.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
