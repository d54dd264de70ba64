import pg from 'pg';
import type { Caller } from '../auth/caller';
import { type QueryOutcome } from '../entities/query-audit-entry.entity';
import { stringifyExactJson } from '../json/exact-json';
import { logger } from '../base/logger';
import { countQueryAuditWriteFailure } from '../metrics/query-audit-metrics';
import { storableText } from '../base/unstorable-text';
import { variablesForTheRecord } from './redact';

/** What the gateway knows of one operation once it has answered (or refused) it. */
export type QueryAuditRecord = {
  requestId: string;
  /** The W3C trace id (32 hex digits) the request joined or started. */
  traceId?: string | null;
  caller: Caller | undefined;
  clientAddress: string | undefined;
  operationName?: string | null;
  operationType?: string | null;
  document?: string | null;
  /** SHA-256 of `document`, hex, as Apollo already computed it for the request. */
  queryHash?: string | null;
  variables?: unknown;
  durationMs: number;
  outcome: QueryOutcome;
  errorCodes?: readonly string[];
  startedAt: Date;
};

type Waiting = { row: Record<string, unknown>; settle(error?: Error): void };

/** Documents larger than this are kept truncated; their hash is of the whole text. */
const MAX_RECORDED_DOCUMENT_CHARS = 64 * 1024;
const MAX_BATCH = 500;
const CONNECTIONS = 2;
/** Hashes of documents this process has seen committed, which later entries need not carry again. */
const MAX_KNOWN_DOCUMENTS = 10_000;

/** One statement: the batch's new documents, then its entries, in time order. */
const INSERT_BATCH = `
  with batch as (
    select * from jsonb_to_recordset($1::jsonb) as r(
      request_id text, trace_id text, api_key_id bigint, role text, client_address text, operation_name text, operation_type text,
      query_hash text, document text, variables jsonb, duration_ms double precision, outcome text, error_codes text[],
      started_at timestamptz)
  ), new_documents as (
    insert into query_documents (query_hash, document)
    select distinct on (query_hash) query_hash, document
      from batch where query_hash is not null and document is not null
    on conflict (query_hash) do nothing
  )
  insert into query_audit_log (request_id, trace_id, api_key_id, role, client_address, operation_name, operation_type, query_hash,
                               variables, duration_ms, outcome, error_codes, started_at)
  select request_id, trace_id, api_key_id, role, client_address, operation_name, operation_type, query_hash,
         variables, duration_ms, outcome, error_codes, started_at
    from batch order by started_at`;

/**
 * The append-only record of every operation. Appends are group-committed:
 * operations finishing together share one INSERT on a small pool of its own
 * (the gateway's sessions are read-only), and each caller waits for the commit
 * that holds its entry — no answer leaves before its record is durable, and
 * the record costs a request no statement of its own under load.
 */
export class QueryAuditLog {
  private readonly pool: pg.Pool;
  private readonly redactedNames: ReadonlySet<string>;
  private waiting: Waiting[] = [];
  private readonly storedDocuments = new Set<string>();
  private flushing: Promise<void> | undefined;

  constructor(databaseUrl: string, options: { redact: readonly string[]; statementTimeoutMs: number }) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: CONNECTIONS,
      statement_timeout: options.statementTimeoutMs,
    });
    // An idle connection dropped by the server must not crash the process; the next append reconnects.
    this.pool.on('error', (error) => logger.warn({ err: error }, 'query audit log connection lost'));
    this.redactedNames = new Set(options.redact.map((name) => name.toLowerCase()));
  }

  /** Resolves once the entry is committed; rejects if it could not be. */
  append(record: QueryAuditRecord): Promise<void> {
    const row = this.rowOf(record);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ row, settle: (error) => (error ? reject(error) : resolve()) });
      this.flushing ??= this.flushAll();
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.pool.end();
  }

  private async flushAll(): Promise<void> {
    // Let the operations finishing in this tick join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    // Two batches in flight, one per pooled connection: entries that finish while
    // one commits go out at once on the other instead of waiting behind it.
    const inFlight = new Set<Promise<void>>();
    while (this.waiting.length > 0 || inFlight.size > 0) {
      if (this.waiting.length > 0 && inFlight.size < CONNECTIONS) {
        const insert: Promise<void> = this.insert(this.waiting.splice(0, MAX_BATCH)).finally(() =>
          inFlight.delete(insert),
        );
        inFlight.add(insert);
      } else {
        await Promise.race(inFlight);
      }
    }
    this.flushing = undefined;
  }

  private async insert(batch: Waiting[]): Promise<void> {
    try {
      // Named, so each connection parses and plans the statement once, not once per batch.
      await this.pool.query({
        name: 'auditgraph_query_audit_append',
        text: INSERT_BATCH,
        values: [stringifyExactJson(batch.map((entry) => entry.row))],
      });
      if (this.storedDocuments.size > MAX_KNOWN_DOCUMENTS) this.storedDocuments.clear();
      for (const entry of batch) {
        if (entry.row.document != null && entry.row.query_hash)
          this.storedDocuments.add(entry.row.query_hash as string);
        entry.settle();
      }
    } catch (error) {
      if (batch.length === 1) {
        countQueryAuditWriteFailure();
        batch[0]!.settle(error as Error);
        return;
      }
      // One entry the database refuses must not cost the others their record.
      for (const entry of batch) await this.insert([entry]);
    }
  }

  private rowOf(record: QueryAuditRecord): Record<string, unknown> {
    const { caller, document } = record;
    const queryHash = document ? (record.queryHash ?? null) : null;
    return {
      request_id: record.requestId,
      trace_id: record.traceId ?? null,
      api_key_id: caller?.kind === 'key' ? caller.keyId : null,
      role: caller?.kind === 'key' ? caller.role : 'anonymous',
      client_address: record.clientAddress ?? null,
      operation_name: storable(record.operationName),
      operation_type: record.operationType ?? null,
      query_hash: queryHash,
      // A document committed before is in query_documents already: the entry names it by hash.
      document:
        document && !(queryHash && this.storedDocuments.has(queryHash))
          ? storable(document.slice(0, MAX_RECORDED_DOCUMENT_CHARS))
          : null,
      variables: variablesForTheRecord(record.variables, this.redactedNames),
      duration_ms: record.durationMs,
      outcome: record.outcome,
      error_codes: [...new Set(record.errorCodes ?? [])],
      started_at: record.startedAt.toISOString(),
    };
  }
}

/**
 * PostgreSQL text cannot hold NUL or a lone surrogate; the record keeps a
 * visible stand-in (U+FFFD), and the query hash is still of the text as sent.
 */
function storable(text: string | null | undefined): string | null {
  return text == null ? null : storableText(text);
}
