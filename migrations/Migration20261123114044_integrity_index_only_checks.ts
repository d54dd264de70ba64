import { Migration } from '@mikro-orm/migrations';

export class Migration20261123114044_integrity_index_only_checks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "trade_decisions_executed_index" on "trade_decisions" ("id", "created_at") where status = 'executed';`);
    this.addSql(`create index "trade_decisions_side_index" on "trade_decisions" ("id") include ("side");`);

    this.addSql(`create index "trade_executions_filled_decision_index" on "trade_executions" ("trade_decision_id") where filled_quantity > 0;`);
    this.addSql(`create index "trade_executions_position_fills_index" on "trade_executions" ("trade_decision_id") include ("position_id", "filled_quantity") where position_id is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "trade_decisions_executed_index";`);
    this.addSql(`drop index "trade_decisions_side_index";`);

    this.addSql(`drop index "trade_executions_filled_decision_index";`);
    this.addSql(`drop index "trade_executions_position_fills_index";`);
  }

}
