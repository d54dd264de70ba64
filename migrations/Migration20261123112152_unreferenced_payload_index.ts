import { Migration } from '@mikro-orm/migrations';

export class Migration20261123112152_unreferenced_payload_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "api_payloads_unfetched_id_index" on "api_payloads" ("id", "created_at") where ingestion_run_id is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "api_payloads_unfetched_id_index";`);
  }

}
