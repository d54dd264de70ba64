import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160533_producer_external_ids extends Migration {

  // Rows written before keep their hashes: null columns are left out of a record's canonical content.
  override async up(): Promise<void> {
    this.addSql(`alter table "api_payloads" add column "external_id" text null;`);
    this.addSql(`alter table "api_payloads" add constraint "api_payloads_external_id_unique" unique ("external_id");`);

    this.addSql(`alter table "positions" add column "external_id" text null;`);
    this.addSql(`alter table "positions" add constraint "positions_external_id_unique" unique ("external_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_payloads" drop constraint "api_payloads_external_id_unique";`);
    this.addSql(`alter table "api_payloads" drop column "external_id";`);

    this.addSql(`alter table "positions" drop constraint "positions_external_id_unique";`);
    this.addSql(`alter table "positions" drop column "external_id";`);
  }

}
