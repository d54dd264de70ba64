import { Migration } from '@mikro-orm/migrations';

/**
 * The chain trigger finds the last event, and the purge trigger a payload's
 * tombstone, with a query planned once per session. Planned while the table
 * is small (a fresh install that autovacuum has seen, the 71 events of the demo
 * data), that plan is a sequential scan, and it stays in use while one long
 * transaction — an import, a purge — grows the table, since nothing it has
 * not committed reaches the statistics: every row then scans all the rows
 * before it. 40,000 events took 220 s that way instead of 1 s. Index lookups
 * are the only plan these two queries ever want.
 */
export class Migration20261123174300_trigger_lookups_by_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter function auditgraph_chain_event() set enable_seqscan to off;`);
    this.addSql(`alter function auditgraph_purge_body_only() set enable_seqscan to off;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter function auditgraph_chain_event() reset enable_seqscan;`);
    this.addSql(`alter function auditgraph_purge_body_only() reset enable_seqscan;`);
  }

}
