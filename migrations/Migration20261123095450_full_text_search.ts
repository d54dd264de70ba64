import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search: GIN expression indexes over the text investigators
 * search (payload bodies and endpoints, decision rationales, execution error
 * messages). The expressions are those of src/sql/search-vectors.ts.
 * (The generator also proposed dropping and re-adding the unchanged
 * http_status check, a false difference in how PostgreSQL prints `between`;
 * removed on review.)
 */
export class Migration20261123095450_full_text_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "api_payloads_search_gin" on "api_payloads" using gin ((to_tsvector('english'::regconfig, endpoint) || jsonb_to_tsvector('english'::regconfig, coalesce(payload, 'null'::jsonb), '["string"]'::jsonb)));`);
    this.addSql(`create index "trade_decisions_search_gin" on "trade_decisions" using gin ((to_tsvector('english'::regconfig, (strategy || ' ' || symbol)) || jsonb_to_tsvector('english'::regconfig, coalesce(decision_rationale, '{}'::jsonb), '["string", "key"]'::jsonb)));`);
    this.addSql(`create index "trade_executions_search_gin" on "trade_executions" using gin (to_tsvector('english'::regconfig, coalesce(error_message, '')));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "api_payloads_search_gin";`);
    this.addSql(`drop index "trade_decisions_search_gin";`);
    this.addSql(`drop index "trade_executions_search_gin";`);
  }
}
