/** A column of the row being matched: qualified by `alias`, bare in an index's own definition. */
const column = (alias: string | null, name: string) => (alias ? `${alias}.${name}` : name);

/**
 * An error message's text as full-text search reads it: the one expression
 * the executions' search index is built on, and what `errorText` filters
 * match (PostgreSQL uses an expression index for the same expression only;
 * a column qualified by the query's alias is still the same expression).
 */
export const errorTextVector = (alias: string | null = null) =>
  `to_tsvector('english'::regconfig, coalesce(${column(alias, 'error_message')}, ''))`;

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
  trade_executions: errorTextVector(),
  // What happened, who did it, and the event's own words (an error's message, a status change's reason).
  audit_events:
    `(to_tsvector('english'::regconfig, (event || ' ' || actor)) || ` +
    `jsonb_to_tsvector('english'::regconfig, event_data, '["string"]'::jsonb))`,
} as const;

export const searchIndexDdl = (table: keyof typeof SEARCH_VECTORS) =>
  `create index "${table}_search_gin" on "${table}" using gin (${SEARCH_VECTORS[table]})`;
