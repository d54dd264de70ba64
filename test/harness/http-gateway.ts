import { createApiKey } from '../../src/auth/api-keys';
import { instantOf } from '../../src/time/instant';
import type { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/base/config';
import { createOrm, type Orm } from '../../src/database/orm';
import { type HttpSettings, type RunningGateway, startHttpServer } from '../../src/server/http-server';
import { createTestDatabase, type TestDatabase } from './database';

export type HttpTestGateway = {
  url: string;
  /** The gateway's own pool: read-only, statement-timed, as `serve` makes it. */
  orm: Orm;
  /** A writable pool on the same database, for fixtures and for looking behind the gateway's back. */
  writer: Orm;
  database: TestDatabase;
  /** Issues a key as `auditgraph keys create` would; returns its secret. */
  keyFor(role: Role, options?: { name?: string; expiresAt?: Date }): Promise<string>;
  post(
    body: unknown,
    options?: { secret?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<HttpAnswer>;
  /**
   * A GET with these query-string parameters (`variables` and `extensions` as JSON text; or the
   * query string itself), as a CSRF-safe client sends it.
   */
  get(
    parameters: Record<string, string> | string,
    options?: { secret?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
};

export type HttpAnswer = { status: number; headers: Headers; text: string; json: any };

let keyCount = 0;

/**
 * Query-string text as a browser sends it: only what would change the
 * parameters is escaped, JSON's brackets, braces, colons and commas stay one
 * byte each (so nesting fits a request line before Node's 16 KB limit).
 * A lone surrogate has no UTF-8 to send: it goes as U+FFFD, as a browser's
 * URL encoder sends it (in JSON text it is an escape, `\ud800`, and arrives).
 */
export function queryStringOf(parameters: Record<string, string>): string {
  const wellFormed = (text: string) =>
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const component = (text: string) =>
    encodeURIComponent(wellFormed(text)).replace(/%(5B|5D|7B|7D|3A|2C|24)/g, (_escape, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  return Object.entries(parameters)
    .map(([name, value]) => `${component(name)}=${component(value)}`)
    .join('&');
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * The gateway over HTTP as `serve` runs it against a DATABASE_URL server:
 * anonymous reading off unless overridden, its sessions read-only.
 */
export async function startHttpTestGateway(overrides: Partial<HttpSettings> = {}): Promise<HttpTestGateway> {
  const database = await createTestDatabase();
  const defaults = loadConfig({ DATABASE_URL: database.url });
  const orm = await createOrm({
    databaseUrl: database.url,
    poolMax: 4,
    session: { readOnly: true, statementTimeoutMs: overrides.statementTimeoutMs ?? defaults.statementTimeoutMs },
  });
  const writer = await createOrm({ databaseUrl: database.url, poolMax: 2 });
  let http: RunningGateway | undefined;
  try {
    http = await startHttpServer(orm, { ...defaults, host: '127.0.0.1', port: 0, ...overrides });
  } catch (error) {
    await orm.close();
    await writer.close();
    await database.drop();
    throw error;
  }
  const url = http.url;
  return {
    url,
    orm,
    writer,
    database,
    async keyFor(role, options = {}) {
      const { secret } = await createApiKey(writer.em.fork(), 'test-harness', {
        name: options.name ?? `${role}-${++keyCount}`,
        role,
        expiresAt: options.expiresAt && instantOf(options.expiresAt),
      });
      return secret;
    },
    async post(body, options = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.secret ? { authorization: `Bearer ${options.secret}` } : {}),
          ...options.headers,
        },
        body: options.raw ?? JSON.stringify(body),
      });
      return answerOf(response);
    },
    async get(parameters, options = {}) {
      const response = await fetch(
        `${url}?${typeof parameters === 'string' ? parameters : queryStringOf(parameters)}`,
        {
          headers: {
            // Apollo's CSRF prevention refuses a GET that a browser form could send.
            'apollo-require-preflight': 'true',
            ...(options.secret ? { authorization: `Bearer ${options.secret}` } : {}),
            ...options.headers,
          },
        },
      );
      return answerOf(response);
    },
    async close() {
      await http!.close();
      await orm.close();
      await writer.close();
      await database.drop();
    },
  };
}
