import { runCli } from './harness/cli';
import { withClient } from './harness/database';
import { appendStatusChange, createTrade, type TradeFixture } from './harness/fixtures';
import { startTestGateway, type TestGateway } from './harness/gateway';

/** verify --full checks current_statuses (derived, not in the tree) against the records and their events. */
describe('verify --full and the current_statuses projection', () => {
  let gateway: TestGateway;
  let trade: TradeFixture;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    gateway = await startTestGateway();
    trade = await createTrade(gateway.orm.em.fork(), { executionCount: 1 });
    await createTrade(gateway.orm.em.fork(), { executionCount: 1 });
    await appendStatusChange(gateway.database.url, {
      table: 'trade_decisions',
      id: trade.decision.id,
      to: 'cancelled',
    });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', DATABASE_URL: gateway.database.url };
    expect((await runCli(['integrate'], env)).code).toBe(0);
  }, 120_000);
  afterAll(() => gateway.close());

  const setProjected = (status: string) =>
    withClient(gateway.database.url, (client) =>
      client.query(
        `update current_statuses set status = $1 where subject_table = 'trade_decisions' and subject_id = $2`,
        [status, trade.decision.id],
      ),
    );

  it('passes on the projection the integrator wrote', async () => {
    const result = await runCli(['verify', '--full'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('names a record whose projected status was changed: exit 1', async () => {
    await setProjected('executed');
    try {
      const result = await runCli(['verify', '--full'], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        new RegExp(
          `^first break: current_statuses says trade_decisions ${trade.decision.id} is executed; ` +
            `its records and status events say cancelled$`,
          'm',
        ),
      );
    } finally {
      await setProjected('cancelled');
    }
    expect((await runCli(['verify', '--full'], env)).code).toBe(0);
  });

  it('names a record missing from the projection', async () => {
    const [execution] = trade.executions;
    await withClient(gateway.database.url, (client) =>
      client.query(`delete from current_statuses where subject_table = 'trade_executions' and subject_id = $1`, [
        execution!.id,
      ]),
    );
    const result = await runCli(['verify', '--full'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^first break: trade_executions ${execution!.id} is missing from current_statuses`, 'm'),
    );
  });
});
