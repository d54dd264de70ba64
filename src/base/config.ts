import path from 'node:path';
import { z } from 'zod';
import { installationPath } from './installation-path';
import { ACTOR_MAX_LENGTH, actorProblem } from './actor';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Where rate-limit counts are kept (src/server/rate-limit/caller-rate-limiter.ts). */
export const RATE_LIMIT_STORES = ['postgres', 'memory'] as const;
export type RateLimitStore = (typeof RATE_LIMIT_STORES)[number];
const booleanWords = ['true', 'false', '1', '0', 'yes', 'no'] as const;

const booleanFlag = z.enum(booleanWords).transform((value) => value === 'true' || value === '1' || value === 'yes');

function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//.test(value) && URL.canParse(value) && new URL(value).hostname !== '';
}

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine(isPostgresUrl, {
      message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/auditgraph',
    })
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:-]+$/)
    .default('127.0.0.1'),
  AUDITGRAPH_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  AUDITGRAPH_METRICS_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:-]+$/)
    .default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  AUDITGRAPH_DATA_DIR: z.string().trim().min(1).optional(),
  AUDITGRAPH_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  AUDITGRAPH_REPLICA_URLS: z
    .string()
    .trim()
    .refine((value) => value.split(',').every((url) => isPostgresUrl(url.trim())))
    .optional(),
  AUDITGRAPH_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  AUDITGRAPH_REPLICA_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
  AUDITGRAPH_MIGRATE_ON_START: booleanFlag.default(true),
  AUDITGRAPH_DEMO_SCALE: z.coerce.number().positive().max(1000).default(0.2),
  AUDITGRAPH_ANONYMOUS_READ: booleanFlag.optional(),
  AUDITGRAPH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  AUDITGRAPH_RATE_LIMIT_STORE: z.enum(RATE_LIMIT_STORES).default('postgres'),
  AUDITGRAPH_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  AUDITGRAPH_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(100_000_000).default(1_000_000),
  AUDITGRAPH_MAX_QUERY_COST: z.coerce.number().int().min(1).max(100_000_000).default(200_000),
  AUDITGRAPH_MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(16),
  AUDITGRAPH_INTROSPECTION: booleanFlag.optional(),
  AUDITGRAPH_WITNESS_DIR: z.string().trim().min(1).optional(),
  AUDITGRAPH_INTEGRATION_BOUND_S: z.coerce.number().positive().max(86_400).default(5),
  AUDITGRAPH_AUDIT_REDACT: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*$/)
    .default('password,secret,token,apiKey,authorization'),
  AUDITGRAPH_INTEGRATE_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(250),
  AUDITGRAPH_CHECKPOINT_KEY_FILE: z.string().trim().min(1).optional(),
  AUDITGRAPH_CHECKPOINT_ORIGIN: z
    .string()
    .trim()
    .regex(/^[\x21-\x2a\x2c-\x7e]+$/)
    .optional(),
  AUDITGRAPH_CHECKPOINT_INTERVAL_S: z.coerce.number().min(0).max(86_400).default(1),
  AUDITGRAPH_ACTOR: z
    .string()
    .trim()
    .refine((value) => actorProblem(value) === undefined)
    .optional(),
  AUDITGRAPH_RETENTION_POLICY_FILE: z.string().trim().min(1).optional(),
  AUDITGRAPH_ARCHIVE_DIR: z.string().trim().min(1).optional(),
  AUDITGRAPH_ARCHIVE_KEY_FILE: z.string().trim().min(1).optional(),
});

export type ConfigVariable = keyof typeof environmentSchema.shape;

/** Every variable the configuration reads, from the schema itself. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ConfigVariable[];

/** What each variable accepts, in words: the whole of what a bad value is told. */
const ACCEPTS: Record<ConfigVariable, string> = {
  DATABASE_URL: 'a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/auditgraph',
  PORT: 'a whole number from 0 to 65535 (0 picks a free port)',
  HOST: 'a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0',
  AUDITGRAPH_METRICS_PORT: 'a whole number from 0 to 65535 (0 picks a free port)',
  AUDITGRAPH_METRICS_HOST: 'a host name or IP address, e.g. 127.0.0.1 or 10.0.0.5',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  NODE_ENV: 'one of development, production, test',
  AUDITGRAPH_DATA_DIR: 'a folder path',
  AUDITGRAPH_DB_POOL_MAX: 'a whole number from 1 to 200',
  AUDITGRAPH_REPLICA_URLS:
    'a comma-separated list of postgres:// URLs of streaming replicas, e.g. postgres://reader@10.0.0.6:5432/auditgraph',
  AUDITGRAPH_REPLICA_MAX_LAG_MS: 'a whole number of milliseconds from 0 to 3600000',
  AUDITGRAPH_REPLICA_CHECK_INTERVAL_MS: 'a whole number of milliseconds from 50 to 600000',
  AUDITGRAPH_MIGRATE_ON_START: `one of ${booleanWords.join(', ')}`,
  AUDITGRAPH_DEMO_SCALE: 'a number above 0 and at most 1000',
  AUDITGRAPH_ANONYMOUS_READ: `one of ${booleanWords.join(', ')}`,
  AUDITGRAPH_RATE_LIMIT_PER_MINUTE: 'a whole number from 1 to 1000000',
  AUDITGRAPH_RATE_LIMIT_STORE: `one of ${RATE_LIMIT_STORES.join(', ')}`,
  AUDITGRAPH_STATEMENT_TIMEOUT_MS: 'a whole number of milliseconds from 100 to 3600000',
  AUDITGRAPH_MAX_BODY_BYTES: 'a whole number of bytes from 1024 to 100000000',
  AUDITGRAPH_MAX_QUERY_COST: 'a whole number from 1 to 100000000',
  AUDITGRAPH_MAX_QUERY_DEPTH: 'a whole number from 2 to 100',
  AUDITGRAPH_INTROSPECTION: `one of ${booleanWords.join(', ')}`,
  AUDITGRAPH_WITNESS_DIR: 'a folder path (a witness folder: <size>.checkpoint files and keys.txt)',
  AUDITGRAPH_INTEGRATION_BOUND_S: 'a number of seconds above 0 and at most 86400',
  AUDITGRAPH_AUDIT_REDACT: 'a comma-separated list of variable names, e.g. password,secret,token',
  AUDITGRAPH_INTEGRATE_INTERVAL_MS: 'a whole number of milliseconds from 10 to 3600000',
  AUDITGRAPH_CHECKPOINT_KEY_FILE: 'the path of a signer key file (PRIVATE+KEY+<name>+<key id>+<key>)',
  AUDITGRAPH_CHECKPOINT_ORIGIN: 'a checkpoint origin: printable ASCII without spaces or +, e.g. example.com/auditgraph',
  AUDITGRAPH_CHECKPOINT_INTERVAL_S: 'a number of seconds from 0 to 86400',
  AUDITGRAPH_ACTOR: `a person's name, 1–${ACTOR_MAX_LENGTH} characters without control characters`,
  AUDITGRAPH_RETENTION_POLICY_FILE: 'the path of a JSON retention policy (README: retention policy)',
  AUDITGRAPH_ARCHIVE_DIR: 'a folder path (the archive: a mounted bucket, a WORM volume)',
  AUDITGRAPH_ARCHIVE_KEY_FILE: 'the path of an archive key file (one line: base64 of 32 random bytes)',
};

export type Config = {
  /** Unset means: run the embedded PostgreSQL kept under `dataDir`. */
  databaseUrl: string | undefined;
  port: number;
  host: string;
  /**
   * Set: `/metrics` is served on this port of `metricsHost` only, without a key (Prometheus scrapes it even
   * while PostgreSQL, which verifies keys, is down). Unset: on `port`, to admin keys.
   */
  metricsPort: number | undefined;
  metricsHost: string;
  logLevel: (typeof LOG_LEVELS)[number];
  nodeEnv: 'development' | 'production' | 'test';
  /** Absolute: where the embedded PostgreSQL keeps its cluster. */
  dataDir: string;
  poolMax: number;
  /**
   * Streaming replicas of `databaseUrl` that GraphQL queries read from (src/database/replicas): each
   * while it answers and replays within `replicaMaxLagMs`; mutations, authentication and the gateway's
   * own records always go to the primary.
   */
  replicaUrls: string[];
  /** A replica further behind the primary than this is taken out of rotation until it catches up. */
  replicaMaxLagMs: number;
  /** How often each replica's state and replay position are read. */
  replicaCheckIntervalMs: number;
  migrateOnStart: boolean;
  demoScale: number;
  /** Unauthenticated callers may read. Defaults to on only for the embedded zero-config database. */
  anonymousRead: boolean;
  /** GraphQL operations per minute per API key (per client address for anonymous callers). */
  rateLimitPerMinute: number;
  /**
   * Where the per-caller counts live: `postgres` (one table every gateway on
   * the database shares, so the limit holds across them) or `memory` (this
   * process only: one gateway).
   */
  rateLimitStore: RateLimitStore;
  /** PostgreSQL statement_timeout on the gateway's connections. */
  statementTimeoutMs: number;
  maxBodyBytes: number;
  /**
   * Estimated objects returned (multiplied out by requested page sizes) above which an operation is refused
   * before it runs.
   */
  maxQueryCost: number;
  maxQueryDepth: number;
  introspection: boolean;
  /** Absolute: a witness folder `verify` proves the tree consistent with, besides any --witness. */
  witnessDir: string | undefined;
  /** Seconds a committed record may wait to be integrated before `verify` reports it. */
  integrationBoundS: number;
  /** Variable names (at any depth, case-insensitive) whose values the query audit log replaces with "[REDACTED]". */
  auditRedact: string[];
  /** How often the background integrator looks for committed records to add to the Merkle tree. */
  integrateIntervalMs: number;
  /** Absolute: the signer key checkpoints are signed with; unset with DATABASE_URL means none are signed. */
  checkpointKeyFile: string | undefined;
  /** The checkpoints' origin line; unset: `auditgraph/<database name>`. */
  checkpointOrigin: string | undefined;
  /** At most one checkpoint per this many seconds (after a batch that grew the tree). */
  checkpointIntervalS: number;
  /** Who the CLI's commands say ran them (admin events, imports, purges) when `--actor` does not; unset: the OS user. */
  actor: string | undefined;
  /** Absolute: the retention policy file; unset: the seed's schedule (src/retention/retention-policy.ts). */
  retentionPolicyFile: string | undefined;
  /** Absolute: the archive folder (bodies/YYYY-MM.agarch and their manifests); `--archive-dir` overrides. */
  archiveDir: string | undefined;
  /** Absolute: the AES-256-GCM key archives are encrypted with; no key, no archive. */
  archiveKeyFile: string | undefined;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A refused value as the error shows it: a terminal or a cron mail is no
 * place for a password, so a URL's (whatever else is wrong with the URL)
 * is masked, as redactUrl masks it in logs.
 */
function shownValue(name: ConfigVariable, value: string | undefined): string | undefined {
  if (!value || (name !== 'DATABASE_URL' && name !== 'AUDITGRAPH_REPLICA_URLS')) return value;
  return value
    .split(',')
    .map((url) => url.replace(/^(\s*[^:/]*:\/\/[^:/@]*):.*@/, '$1:***@'))
    .join(',');
}

/**
 * Reads and validates the configuration from the environment. Throws a
 * ConfigError naming every bad variable and what it should look like, so a
 * typo is reported at start rather than as a confusing failure later.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    // One line, whatever went wrong: a cron mail or a terminal shows it whole.
    const bad = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0]) as ConfigVariable))];
    const problems = bad.map(
      (name) => `${name}=${JSON.stringify(shownValue(name, env[name]))} must be ${ACCEPTS[name]}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  if (values.AUDITGRAPH_REPLICA_URLS && !values.DATABASE_URL)
    throw new ConfigError(
      'invalid configuration: AUDITGRAPH_REPLICA_URLS needs DATABASE_URL (the primary they replicate); ' +
        'the embedded database has no replicas',
    );
  return {
    databaseUrl: values.DATABASE_URL,
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    nodeEnv: values.NODE_ENV,
    // An explicit path is the user's, relative to where they stand; the default
    // belongs to the installation, so cron (run from $HOME) finds the same data.
    dataDir: values.AUDITGRAPH_DATA_DIR
      ? path.resolve(values.AUDITGRAPH_DATA_DIR)
      : installationPath('.data', 'postgres'),
    metricsPort: values.AUDITGRAPH_METRICS_PORT,
    metricsHost: values.AUDITGRAPH_METRICS_HOST,
    poolMax: values.AUDITGRAPH_DB_POOL_MAX,
    replicaUrls: (values.AUDITGRAPH_REPLICA_URLS ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
    replicaMaxLagMs: values.AUDITGRAPH_REPLICA_MAX_LAG_MS,
    replicaCheckIntervalMs: values.AUDITGRAPH_REPLICA_CHECK_INTERVAL_MS,
    migrateOnStart: values.AUDITGRAPH_MIGRATE_ON_START,
    demoScale: values.AUDITGRAPH_DEMO_SCALE,
    anonymousRead: values.AUDITGRAPH_ANONYMOUS_READ ?? values.DATABASE_URL === undefined,
    rateLimitPerMinute: values.AUDITGRAPH_RATE_LIMIT_PER_MINUTE,
    rateLimitStore: values.AUDITGRAPH_RATE_LIMIT_STORE,
    statementTimeoutMs: values.AUDITGRAPH_STATEMENT_TIMEOUT_MS,
    maxBodyBytes: values.AUDITGRAPH_MAX_BODY_BYTES,
    maxQueryCost: values.AUDITGRAPH_MAX_QUERY_COST,
    maxQueryDepth: values.AUDITGRAPH_MAX_QUERY_DEPTH,
    introspection: values.AUDITGRAPH_INTROSPECTION ?? values.NODE_ENV !== 'production',
    witnessDir: values.AUDITGRAPH_WITNESS_DIR && path.resolve(values.AUDITGRAPH_WITNESS_DIR),
    integrationBoundS: values.AUDITGRAPH_INTEGRATION_BOUND_S,
    auditRedact: values.AUDITGRAPH_AUDIT_REDACT.split(',').map((name) => name.trim()),
    integrateIntervalMs: values.AUDITGRAPH_INTEGRATE_INTERVAL_MS,
    checkpointKeyFile: values.AUDITGRAPH_CHECKPOINT_KEY_FILE && path.resolve(values.AUDITGRAPH_CHECKPOINT_KEY_FILE),
    checkpointOrigin: values.AUDITGRAPH_CHECKPOINT_ORIGIN,
    checkpointIntervalS: values.AUDITGRAPH_CHECKPOINT_INTERVAL_S,
    actor: values.AUDITGRAPH_ACTOR,
    retentionPolicyFile:
      values.AUDITGRAPH_RETENTION_POLICY_FILE && path.resolve(values.AUDITGRAPH_RETENTION_POLICY_FILE),
    archiveDir: values.AUDITGRAPH_ARCHIVE_DIR && path.resolve(values.AUDITGRAPH_ARCHIVE_DIR),
    archiveKeyFile: values.AUDITGRAPH_ARCHIVE_KEY_FILE && path.resolve(values.AUDITGRAPH_ARCHIVE_KEY_FILE),
  };
}
