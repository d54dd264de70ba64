import { Migration } from '@mikro-orm/migrations';

/**
 * What `verify` needs besides the tree (issue 23): `chain_verifications`,
 * the runs that found the record intact (the next default run re-encodes
 * only the leaves integrated since the newest), and the canonical body hash
 * on a payload's tombstone, so that a purged payload's leaf is still
 * recomputed from its row.
 */
export class Migration20261201164251_verify_tree extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "chain_verifications" ("id" bigserial primary key, "tree_size" bigint not null, "root" bytea not null, "full" boolean not null, "verified_at" timestamptz not null default now());`);

    this.addSql(`alter table "api_payload_tombstones" add column "body_sha256" text null;`);

    // Written by hand: a run's verdict is a record too, only ever appended to.
    this.addSql(`create trigger "chain_verifications_append_only" before update or delete on "chain_verifications" for each statement execute function auditgraph_refuse_change();`);
    this.addSql(`create trigger "chain_verifications_no_truncate" before truncate on "chain_verifications" for each statement execute function auditgraph_refuse_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "chain_verifications" cascade;`);

    this.addSql(`alter table "api_payload_tombstones" drop column "body_sha256";`);
  }

}
