import { Migration } from '@mikro-orm/migrations';

export class Migration20261123083947_lineage_tables extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "data_ingestion_runs" ("id" bigserial primary key, "run_id" text not null, "task_name" text not null, "source" text not null, "status" text check ("status" in ('running', 'succeeded', 'failed')) not null, "records_fetched" int not null default 0, "error_message" text null, "metadata" jsonb not null default '{}', "started_at" timestamptz not null, "finished_at" timestamptz null, "created_at" timestamptz not null default now(), constraint data_ingestion_runs_records_fetched_not_negative check (records_fetched >= 0));`);
    this.addSql(`alter table "data_ingestion_runs" add constraint "data_ingestion_runs_run_id_unique" unique ("run_id");`);
    this.addSql(`create index "data_ingestion_runs_metadata_gin" on "data_ingestion_runs" using gin ("metadata");`);
    this.addSql(`create index "data_ingestion_runs_started_at_index" on "data_ingestion_runs" ("started_at");`);
    this.addSql(`create index "data_ingestion_runs_task_name_created_at_index" on "data_ingestion_runs" ("task_name", "created_at");`);
    this.addSql(`create index "data_ingestion_runs_source_created_at_index" on "data_ingestion_runs" ("source", "created_at");`);
    this.addSql(`create index "data_ingestion_runs_created_at_id_index" on "data_ingestion_runs" ("created_at", "id");`);

    this.addSql(`create table "api_payloads" ("id" bigserial primary key, "ingestion_run_id" bigint null, "direction" text check ("direction" in ('request', 'response')) not null, "provider" text not null, "endpoint" text not null, "http_method" text not null, "http_status" smallint null, "latency_ms" int null, "payload" jsonb null, "payload_bytes" int not null, "correlation_id" text null, "created_at" timestamptz not null default now(), constraint api_payloads_sizes_not_negative check (payload_bytes >= 0 and (latency_ms is null or latency_ms >= 0)), constraint api_payloads_http_status_range check (http_status between 100 and 599));`);
    this.addSql(`create index "api_payloads_ingestion_run_id_index" on "api_payloads" ("ingestion_run_id");`);
    this.addSql(`create index "api_payloads_payload_gin" on "api_payloads" using gin ("payload");`);
    this.addSql(`create index "api_payloads_correlation_id_index" on "api_payloads" ("correlation_id");`);
    this.addSql(`create index "api_payloads_provider_created_at_index" on "api_payloads" ("provider", "created_at");`);
    this.addSql(`create index "api_payloads_created_at_id_index" on "api_payloads" ("created_at", "id");`);

    this.addSql(`create table "positions" ("id" bigserial primary key, "account" text not null, "symbol" text not null, "quantity" numeric(20,8) not null, "avg_cost" numeric(20,8) null, "status" text check ("status" in ('open', 'closed')) not null, "opened_at" timestamptz not null, "closed_at" timestamptz null);`);
    this.addSql(`create index "positions_account_opened_at_index" on "positions" ("account", "opened_at");`);
    this.addSql(`create index "positions_symbol_opened_at_index" on "positions" ("symbol", "opened_at");`);
    this.addSql(`create index "positions_opened_at_id_index" on "positions" ("opened_at", "id");`);

    this.addSql(`create table "trade_decisions" ("id" bigserial primary key, "decision_id" text not null, "strategy" text not null, "symbol" text not null, "side" text check ("side" in ('buy', 'sell')) not null, "quantity" numeric(20,8) not null, "order_type" text not null, "limit_price" numeric(20,8) null, "status" text check ("status" in ('pending', 'executed', 'failed', 'cancelled')) not null, "decision_rationale" jsonb null, "correlation_id" text null, "created_at" timestamptz not null default now(), constraint trade_decisions_limit_price_positive check (limit_price is null or limit_price > 0), constraint trade_decisions_quantity_positive check (quantity > 0));`);
    this.addSql(`alter table "trade_decisions" add constraint "trade_decisions_decision_id_unique" unique ("decision_id");`);
    this.addSql(`create index "trade_decisions_decision_rationale_gin" on "trade_decisions" using gin ("decision_rationale");`);
    this.addSql(`create index "trade_decisions_correlation_id_index" on "trade_decisions" ("correlation_id");`);
    this.addSql(`create index "trade_decisions_status_created_at_index" on "trade_decisions" ("status", "created_at");`);
    this.addSql(`create index "trade_decisions_strategy_created_at_index" on "trade_decisions" ("strategy", "created_at");`);
    this.addSql(`create index "trade_decisions_symbol_created_at_index" on "trade_decisions" ("symbol", "created_at");`);
    this.addSql(`create index "trade_decisions_created_at_id_index" on "trade_decisions" ("created_at", "id");`);

    this.addSql(`create table "decision_inputs" ("trade_decision_id" bigint not null, "api_payload_id" bigint not null, constraint "decision_inputs_pkey" primary key ("trade_decision_id", "api_payload_id"));`);
    this.addSql(`create index "decision_inputs_api_payload_id_index" on "decision_inputs" ("api_payload_id");`);

    this.addSql(`create table "trade_executions" ("id" bigserial primary key, "execution_id" text not null, "trade_decision_id" bigint null, "position_id" bigint null, "broker_order_id" text null, "status" text check ("status" in ('submitted', 'filled', 'partially_filled', 'rejected', 'cancelled')) not null, "filled_quantity" numeric(20,8) not null default 0, "fill_price" numeric(20,8) null, "commission" numeric(20,8) null, "error_message" text null, "api_request_payload_id" bigint null, "api_response_payload_id" bigint null, "submitted_at" timestamptz null, "filled_at" timestamptz null, "created_at" timestamptz not null default now(), constraint trade_executions_filled_quantity_not_negative check (filled_quantity >= 0));`);
    this.addSql(`alter table "trade_executions" add constraint "trade_executions_execution_id_unique" unique ("execution_id");`);
    this.addSql(`create index "trade_executions_trade_decision_id_index" on "trade_executions" ("trade_decision_id");`);
    this.addSql(`create index "trade_executions_position_id_index" on "trade_executions" ("position_id");`);
    this.addSql(`create index "trade_executions_api_request_payload_id_index" on "trade_executions" ("api_request_payload_id");`);
    this.addSql(`create index "trade_executions_api_response_payload_id_index" on "trade_executions" ("api_response_payload_id");`);
    this.addSql(`create index "trade_executions_submitted_at_index" on "trade_executions" ("submitted_at");`);
    this.addSql(`create index "trade_executions_status_created_at_index" on "trade_executions" ("status", "created_at");`);
    this.addSql(`create index "trade_executions_created_at_id_index" on "trade_executions" ("created_at", "id");`);

    this.addSql(`alter table "api_payloads" add constraint "api_payloads_ingestion_run_id_foreign" foreign key ("ingestion_run_id") references "data_ingestion_runs" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "decision_inputs" add constraint "decision_inputs_trade_decision_id_foreign" foreign key ("trade_decision_id") references "trade_decisions" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "decision_inputs" add constraint "decision_inputs_api_payload_id_foreign" foreign key ("api_payload_id") references "api_payloads" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "trade_executions" add constraint "trade_executions_trade_decision_id_foreign" foreign key ("trade_decision_id") references "trade_decisions" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "trade_executions" add constraint "trade_executions_position_id_foreign" foreign key ("position_id") references "positions" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "trade_executions" add constraint "trade_executions_api_request_payload_id_foreign" foreign key ("api_request_payload_id") references "api_payloads" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "trade_executions" add constraint "trade_executions_api_response_payload_id_foreign" foreign key ("api_response_payload_id") references "api_payloads" ("id") on update restrict on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_payloads" drop constraint "api_payloads_ingestion_run_id_foreign";`);

    this.addSql(`alter table "decision_inputs" drop constraint "decision_inputs_api_payload_id_foreign";`);

    this.addSql(`alter table "trade_executions" drop constraint "trade_executions_api_request_payload_id_foreign";`);

    this.addSql(`alter table "trade_executions" drop constraint "trade_executions_api_response_payload_id_foreign";`);

    this.addSql(`alter table "trade_executions" drop constraint "trade_executions_position_id_foreign";`);

    this.addSql(`alter table "decision_inputs" drop constraint "decision_inputs_trade_decision_id_foreign";`);

    this.addSql(`alter table "trade_executions" drop constraint "trade_executions_trade_decision_id_foreign";`);

    this.addSql(`drop table if exists "data_ingestion_runs" cascade;`);

    this.addSql(`drop table if exists "api_payloads" cascade;`);

    this.addSql(`drop table if exists "positions" cascade;`);

    this.addSql(`drop table if exists "trade_decisions" cascade;`);

    this.addSql(`drop table if exists "decision_inputs" cascade;`);

    this.addSql(`drop table if exists "trade_executions" cascade;`);
  }

}
