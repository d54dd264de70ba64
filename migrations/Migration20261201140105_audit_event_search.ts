import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search over audit events (search kind AUDIT_EVENT): their event
 * name, actor and the string values of their data (an error's message, a
 * purge's reason), through the expression of src/sql/search-vectors.ts. The
 * GIN index is what makes a search of the largest table an index read.
 */
export class Migration20261201140105_audit_event_search extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "audit_events_search_gin" on "audit_events" using gin ((to_tsvector('english'::regconfig, (event || ' ' || actor)) || jsonb_to_tsvector('english'::regconfig, event_data, '["string"]'::jsonb)));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit_events_search_gin";`);
  }

}
