import { withClient } from './harness/database';
import { startTestGateway, type TestGateway } from './harness/gateway';
import { MAX_NAV_POINTS } from '../src/queries/nav-history';

/** NAV history: the NAV-log events that state a nav, read as the record holds them. */
describe('navHistory', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('reads the NAV history from the NAV-log events that state a nav, oldest first, digits as recorded', async () => {
    await withClient(gateway.database.url, (client) =>
      client.query(`insert into audit_events (log_type, event, event_data, actor, occurred_at) values
        ('NAV', 'position_snapshot', '{"nav": 156789.45, "positions": {"SPY": 200}}', 'bot', '2026-11-02T16:15:00Z'),
        ('NAV', 'nav_calculated', '{"nav": 12345678901234567890.123456789, "cash": 35420.12}', 'admin', '2026-11-02T16:00:00Z'),
        ('NAV', 'nav_calculated', '{"nav": "not a number"}', 'admin', '2026-11-02T16:30:00Z'),
        ('RISK', 'drawdown_alert', '{"nav": 145230.45}', 'risk', '2026-11-02T16:20:00Z'),
        ('NAV', 'position_snapshot', '{"nav": 1}', 'bot', '2026-11-03T00:00:00Z')`),
    );
    const result = await gateway.execute<any>(`{
      navHistory(from: "2026-11-02T00:00:00Z", to: "2026-11-03T00:00:00Z") {
        nav occurredAt event { event actor eventData } } }`);
    expect(result.errors).toBeUndefined();
    const [first, second, ...rest] = result.data.navHistory;
    expect(rest).toEqual([]);
    // The nav a double cannot hold keeps its digits; the event is all there, its body included.
    expect(first).toMatchObject({
      nav: '12345678901234567890.123456789',
      occurredAt: '2026-11-02T16:00:00.000000Z',
      event: { event: 'nav_calculated', actor: 'admin', eventData: { cash: 35420.12 } },
    });
    expect(second).toEqual({
      nav: '156789.45',
      occurredAt: '2026-11-02T16:15:00.000000Z',
      event: { event: 'position_snapshot', actor: 'bot', eventData: { nav: 156789.45, positions: { SPY: 200 } } },
    });
  });

  it('refuses, never cuts, a NAV window of more points than one answer carries', async () => {
    await withClient(gateway.database.url, (client) =>
      client.query(`insert into audit_events (log_type, event, event_data, actor, occurred_at)
        select 'NAV', 'position_snapshot', jsonb_build_object('nav', g), 'bot', '2026-12-01T00:00:00Z'::timestamptz + g * interval '1 minute'
        from generate_series(1, ${MAX_NAV_POINTS + 1}) g`),
    );
    const result = await gateway.execute<any>(
      '{ navHistory(from: "2026-12-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { nav } }',
    );
    expect(result.data).toBeNull();
    expect(result.errors![0]!.extensions!.code).toBe('RESULT_TOO_LARGE');
  });
});
