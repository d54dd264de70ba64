/**
 * The text each searchable table is indexed by. The GIN expression indexes
 * (declared on the entities) and the search query use these exact
 * expressions: PostgreSQL only uses an expression index for the same
 * expression. `jsonb_to_tsvector` takes the string values of a JSON body (and,
 * for rationales, its keys too).
 */
export const SEARCH_VECTORS = {
  api_payloads:
    `(to_tsvector('english'::regconfig, endpoint) || ` +
    `jsonb_to_tsvector('english'::regconfig, coalesce(payload, 'null'::jsonb), '["string"]'::jsonb))`,
  trade_decisions:
    `(to_tsvector('english'::regconfig, (strategy || ' ' || symbol)) || ` +
    `jsonb_to_tsvector('english'::regconfig, coalesce(decision_rationale, '{}'::jsonb), '["string", "key"]'::jsonb))`,
  trade_executions: `to_tsvector('english'::regconfig, coalesce(error_message, ''))`,
} as const;

export const searchIndexDdl = (table: keyof typeof SEARCH_VECTORS) =>
  `create index "${table}_search_gin" on "${table}" using gin (${SEARCH_VECTORS[table]})`;
