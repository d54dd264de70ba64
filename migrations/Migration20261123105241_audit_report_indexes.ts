import { Migration } from '@mikro-orm/migrations';

export class Migration20261123105241_audit_report_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "trade_decisions_missing_rationale_index" on "trade_decisions" ("created_at") where decision_rationale is null or decision_rationale = '{}'::jsonb;`);

    this.addSql(`create index "trade_executions_without_decision_index" on "trade_executions" ("created_at") where trade_decision_id is null;`);
    this.addSql(`create index "trade_executions_missing_payload_index" on "trade_executions" ("created_at") where api_request_payload_id is null or api_response_payload_id is null;`);
    this.addSql(`create index "trade_executions_filled_at_index" on "trade_executions" ("filled_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "trade_decisions_missing_rationale_index";`);

    this.addSql(`drop index "trade_executions_without_decision_index";`);
    this.addSql(`drop index "trade_executions_missing_payload_index";`);
    this.addSql(`drop index "trade_executions_filled_at_index";`);
  }

}
