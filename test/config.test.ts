import path from 'node:path';
import { ConfigError, loadConfig } from '../src/base/config';

/** The clone this test runs in: the installation the default data folder belongs to. */
const CLONE = path.resolve(__dirname, '..');

describe('configuration from the environment', () => {
  it('has defaults that run the embedded database on port 4000', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      port: 4000,
      host: '127.0.0.1',
      metricsHost: '127.0.0.1',
      logLevel: 'info',
      nodeEnv: 'development',
      dataDir: path.join(CLONE, '.data', 'postgres'),
      poolMax: 10,
      replicaUrls: [],
      replicaMaxLagMs: 5_000,
      replicaCheckIntervalMs: 1_000,
      migrateOnStart: true,
      demoScale: 0.2,
      anonymousRead: true,
      rateLimitPerMinute: 600,
      rateLimitStore: 'postgres',
      statementTimeoutMs: 15_000,
      maxBodyBytes: 1_000_000,
      maxQueryCost: 200_000,
      maxQueryDepth: 16,
      introspection: true,
      witnessDir: undefined,
      integrationBoundS: 5,
      auditRedact: ['password', 'secret', 'token', 'apiKey', 'authorization'],
      integrateIntervalMs: 250,
      checkpointKeyFile: undefined,
      checkpointOrigin: undefined,
      checkpointIntervalS: 1,
    });
  });

  it('resolves the archive folder and key file against where the command is run', () => {
    expect(
      loadConfig({ AUDITGRAPH_ARCHIVE_DIR: 'archive', AUDITGRAPH_ARCHIVE_KEY_FILE: ' keys/archive.key ' }),
    ).toMatchObject({
      archiveDir: path.resolve('archive'),
      archiveKeyFile: path.resolve('keys/archive.key'),
    });
  });

  it('turns anonymous reading off when DATABASE_URL names a server, unless asked for', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db:5432/audit' }).anonymousRead).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://app@db:5432/audit', AUDITGRAPH_ANONYMOUS_READ: 'true' }).anonymousRead,
    ).toBe(true);
    expect(loadConfig({ AUDITGRAPH_ANONYMOUS_READ: 'false' }).anonymousRead).toBe(false);
  });

  it('turns introspection off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', AUDITGRAPH_INTROSPECTION: 'yes' }).introspection).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db.internal:5432/audit',
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
      AUDITGRAPH_DATA_DIR: '/var/lib/auditgraph',
      AUDITGRAPH_DB_POOL_MAX: '25',
      AUDITGRAPH_MIGRATE_ON_START: 'false',
      AUDITGRAPH_DEMO_SCALE: '1.5',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://app@db.internal:5432/audit',
      port: 8080,
      migrateOnStart: false,
      poolMax: 25,
      demoScale: 1.5,
    });
  });

  it(
    'keeps the embedded data in the installation by default, whatever the working directory; ' +
      'an explicit relative folder is relative to it',
    () => {
      const cwd = process.cwd();
      try {
        process.chdir('/');
        expect(loadConfig({}).dataDir).toBe(path.join(CLONE, '.data', 'postgres'));
        expect(loadConfig({ AUDITGRAPH_DATA_DIR: 'srv/pg' }).dataDir).toBe('/srv/pg');
        expect(loadConfig({ AUDITGRAPH_DATA_DIR: '/var/lib/auditgraph' }).dataDir).toBe('/var/lib/auditgraph');
      } finally {
        process.chdir(cwd);
      }
    },
  );

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'http', /PORT="http"/],
    ['PORT', '70000', /PORT="70000".*65535/],
    ['DATABASE_URL', 'mysql://root@localhost/test', /DATABASE_URL=.*postgres:\/\//],
    ['DATABASE_URL', 'postgres://', /DATABASE_URL/],
    [
      'DATABASE_URL',
      'mysql://app:s3cr:e@t@db/audit',
      /^invalid configuration: DATABASE_URL="mysql:\/\/app:\*\*\*@db\/audit" must be /,
    ],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud"/],
    ['AUDITGRAPH_MIGRATE_ON_START', 'maybe', /AUDITGRAPH_MIGRATE_ON_START="maybe"/],
    ['AUDITGRAPH_DB_POOL_MAX', '0', /AUDITGRAPH_DB_POOL_MAX="0"/],
    ['AUDITGRAPH_ANONYMOUS_READ', 'sometimes', /AUDITGRAPH_ANONYMOUS_READ="sometimes"/],
    ['AUDITGRAPH_RATE_LIMIT_PER_MINUTE', '-5', /AUDITGRAPH_RATE_LIMIT_PER_MINUTE="-5"/],
    ['AUDITGRAPH_RATE_LIMIT_STORE', 'redis', /AUDITGRAPH_RATE_LIMIT_STORE="redis".*one of postgres, memory/],
    ['AUDITGRAPH_STATEMENT_TIMEOUT_MS', '10', /AUDITGRAPH_STATEMENT_TIMEOUT_MS="10"/],
    ['AUDITGRAPH_MAX_BODY_BYTES', '1e12', /AUDITGRAPH_MAX_BODY_BYTES/],
    ['AUDITGRAPH_MAX_QUERY_DEPTH', '1', /AUDITGRAPH_MAX_QUERY_DEPTH="1"/],
    ['AUDITGRAPH_AUDIT_REDACT', 'password; drop table x', /AUDITGRAPH_AUDIT_REDACT=.*comma-separated list/],
    ['AUDITGRAPH_REPLICA_URLS', 'postgres://r1@a/db,,', /AUDITGRAPH_REPLICA_URLS=.*comma-separated list of postgres/],
    [
      'AUDITGRAPH_REPLICA_URLS',
      'postgres://r:pw1@a/db, mysql://r:pw2@b/db',
      /AUDITGRAPH_REPLICA_URLS="postgres:\/\/r:\*\*\*@a\/db, mysql:\/\/r:\*\*\*@b\/db" must be/,
    ],
    ['AUDITGRAPH_REPLICA_MAX_LAG_MS', '-1', /AUDITGRAPH_REPLICA_MAX_LAG_MS="-1"/],
    ['AUDITGRAPH_REPLICA_CHECK_INTERVAL_MS', '10', /AUDITGRAPH_REPLICA_CHECK_INTERVAL_MS="10"/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reads the replicas of the primary DATABASE_URL names, and refuses replicas of the embedded database', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://app@primary/audit',
        AUDITGRAPH_REPLICA_URLS: ' postgres://app@replica-1/audit ,postgresql://app@replica-2:6432/audit',
        AUDITGRAPH_REPLICA_MAX_LAG_MS: '250',
      }),
    ).toMatchObject({
      replicaUrls: ['postgres://app@replica-1/audit', 'postgresql://app@replica-2:6432/audit'],
      replicaMaxLagMs: 250,
    });
    expect(() => loadConfig({ AUDITGRAPH_REPLICA_URLS: 'postgres://app@replica-1/audit' })).toThrow(
      /AUDITGRAPH_REPLICA_URLS needs DATABASE_URL/,
    );
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(
      /PORT="x"[\s\S]*LOG_LEVEL="y"|LOG_LEVEL="y"[\s\S]*PORT="x"/,
    );
  });
});
