import { Migration } from '@mikro-orm/migrations';

export class Migration20261203115401_rate_limit_counters extends Migration {

  override async up(): Promise<void> {
    // Unlogged: counts of the current minute need no WAL (a crash forgets them, which only resets callers' minutes),
    // and every request upserts a row here. Written by hand: entities cannot say unlogged, and the schema diff ignores it.
    this.addSql(`create unlogged table "rate_limit_counters" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, constraint "rate_limit_counters_pkey" primary key ("key"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counters" cascade;`);
  }

}
