import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C trace id of each query audit entry (issue 20): null for the entries
 * written before. The table stays append-only: its triggers refuse an update
 * or a delete of any column, this one too.
 */
export class Migration20261203114527_query_audit_trace_id extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "query_audit_log" add column "trace_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "query_audit_log" drop column "trace_id";`);
  }

}
