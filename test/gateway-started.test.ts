import { configurationHash, recordGatewayStart } from '../src/admin/gateway-started';
import { loadConfig } from '../src/base/config';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';

// Each gateway start is an ADMIN event with the hash of its configuration: a changed setting shows as a new hash.

const config = (env: Record<string, string>) => loadConfig({ PATH: process.env.PATH, ...env });

describe('configurationHash', () => {
  it('is the same for the same settings, new for a changed one, and blind to the database password', () => {
    const base = config({ DATABASE_URL: 'postgres://ops:first@db:5432/audit' });
    expect(configurationHash(config({ DATABASE_URL: 'postgres://ops:first@db:5432/audit' }))).toBe(
      configurationHash(base),
    );
    expect(configurationHash(config({ DATABASE_URL: 'postgres://ops:rotated@db:5432/audit' }))).toBe(
      configurationHash(base),
    );
    expect(configurationHash(config({ DATABASE_URL: 'postgres://ops:first@db:5432/audit', PORT: '4001' }))).not.toBe(
      configurationHash(base),
    );
    expect(configurationHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('recordGatewayStart', () => {
  let gateway: HttpTestGateway;
  beforeAll(async () => {
    gateway = await startHttpTestGateway();
  });
  afterAll(() => gateway.close());

  it('appends gateway_started with who started it and the hash, never a setting itself', async () => {
    const settings = config({ DATABASE_URL: 'postgres://ops:s3cret@db:5432/audit' });
    await recordGatewayStart(gateway.writer.em.fork(), 'uid 1000', settings);
    const [event] = await gateway.writer.em
      .getConnection()
      .execute(
        "select log_type, actor, event_data from audit_events where event = 'gateway_started' order by seq desc limit 1",
      );
    expect(event).toEqual({
      log_type: 'ADMIN',
      actor: 'uid 1000',
      event_data: { configSha256: configurationHash(settings) },
    });
  });
});
