import type { Request } from 'express';

/** What a client sent for one operation, before anything checked it. */
export type SentOperation = { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };

/**
 * The operations of a GraphQL request, from wherever its method carries
 * them, so every check before GraphQL (and the record of a refusal) reads
 * a GET exactly as a POST: a POST's parsed body (a batch is an array of
 * them), a GET's query string, read as Apollo reads it (URLSearchParams;
 * `variables` and `extensions` are JSON text). `malformed` names the first
 * query-string parameter Apollo could not read — not valid JSON, or sent
 * twice — whose value is then left out.
 */
export type SentRequest = { operations: SentOperation[]; batch: boolean; malformed?: string };

const JSON_PARAMETERS = ['variables', 'extensions'] as const;
const TEXT_PARAMETERS = ['query', 'operationName'] as const;

/** A GET's query string is parsed once, for its checks and for the record of its refusal. */
const parsedQueryStrings = new WeakMap<Request, SentRequest>();

export function sentRequest(request: Request): SentRequest {
  // A POST's body is read afresh: a refusal before body parsing (no key) sees none yet.
  if (request.method !== 'GET') return fromBody(request.body);
  let sent = parsedQueryStrings.get(request);
  if (!sent) {
    sent = fromQueryString(request);
    parsedQueryStrings.set(request, sent);
  }
  return sent;
}

function fromBody(body: unknown): SentRequest {
  const batch = Array.isArray(body);
  const operations = (batch ? body : [body]).filter(
    (operation): operation is SentOperation => operation !== null && typeof operation === 'object',
  );
  return { operations, batch };
}

function fromQueryString(request: Request): SentRequest {
  // The same reading as Apollo's express integration: the raw search of the URL, not Express's parsed `query`.
  const search = new URLSearchParams(new URL(request.originalUrl, 'http://gateway').search);
  const operation: SentOperation = {};
  let malformed: string | undefined;
  for (const name of [...TEXT_PARAMETERS, ...JSON_PARAMETERS]) {
    const values = search.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1) {
      malformed ??= `the ${name} parameter may be sent only once`;
      continue;
    }
    if (!(JSON_PARAMETERS as readonly string[]).includes(name)) {
      operation[name] = values[0];
      continue;
    }
    try {
      // JSON.parse builds any depth without recursion; what walks it afterwards is bounded by the depth check.
      operation[name] = JSON.parse(values[0]!) as unknown;
    } catch {
      malformed ??= `the ${name} parameter is not valid JSON`;
    }
  }
  return { operations: [operation], batch: false, malformed };
}
