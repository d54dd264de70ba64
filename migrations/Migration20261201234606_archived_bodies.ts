import { Migration } from '@mikro-orm/migrations';

/**
 * The read-back index of archived payload bodies (issue 17): which archive
 * file and frame holds each body's copy, written once that copy was read back
 * and matched. Append-only like the other audit tables: an archived copy is
 * never moved or forgotten, and the purge trusts only what this table says.
 */
export class Migration20261201234606_archived_bodies extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "archived_bodies" ("api_payload_id" bigint not null, "archive_file" text not null, "frame_offset" bigint not null, "frame_length" int not null, "frame_number" int not null, "body_sha256" text not null, "archived_at" timestamptz not null default now(), constraint "archived_bodies_pkey" primary key ("api_payload_id"));`);
    this.addSql(`create index "archived_bodies_archive_file_frame_number_index" on "archived_bodies" ("archive_file", "frame_number");`);

    this.addSql(`alter table "archived_bodies" add constraint "archived_bodies_api_payload_id_foreign" foreign key ("api_payload_id") references "api_payloads" ("id") on update restrict on delete restrict;`);

    // Written by hand: what the entity metadata cannot say.
    this.addSql(`create trigger "archived_bodies_append_only" before update or delete on "archived_bodies" for each statement execute function auditgraph_refuse_change();`);
    this.addSql(`create trigger "archived_bodies_no_truncate" before truncate on "archived_bodies" for each statement execute function auditgraph_refuse_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "archived_bodies" cascade;`);
  }

}
