import { Migration20261123083947_lineage_tables } from './Migration20261123083947_lineage_tables';
import { Migration20261123095450_full_text_search } from './Migration20261123095450_full_text_search';
import { Migration20261123105241_audit_report_indexes } from './Migration20261123105241_audit_report_indexes';
import { Migration20261123112152_unreferenced_payload_index } from './Migration20261123112152_unreferenced_payload_index';
import { Migration20261123114044_integrity_index_only_checks } from './Migration20261123114044_integrity_index_only_checks';
import { Migration20261123131206_access_control_and_query_audit } from './Migration20261123131206_access_control_and_query_audit';
import { Migration20261123155203_immutable_record } from './Migration20261123155203_immutable_record';
import { Migration20261123160533_producer_external_ids } from './Migration20261123160533_producer_external_ids';
import { Migration20261123174300_trigger_lookups_by_index } from './Migration20261123174300_trigger_lookups_by_index';
import { Migration20261201090000_position_lots } from './Migration20261201090000_position_lots';
import { Migration20261201140105_audit_event_search } from './Migration20261201140105_audit_event_search';
import { Migration20261201163050_writers_never_wait } from './Migration20261201163050_writers_never_wait';
import { Migration20261201164251_verify_tree } from './Migration20261201164251_verify_tree';
import { Migration20261201173226_record_corrections } from './Migration20261201173226_record_corrections';
import { Migration20261201194910_admin_events } from './Migration20261201194910_admin_events';
import { Migration20261201231414_legal_holds } from './Migration20261201231414_legal_holds';
import { Migration20261201233000_restore_mode } from './Migration20261201233000_restore_mode';
import { Migration20261201234606_archived_bodies } from './Migration20261201234606_archived_bodies';
import { Migration20261202092000_restore_legal_holds } from './Migration20261202092000_restore_legal_holds';
import { Migration20261202141603_current_statuses } from './Migration20261202141603_current_statuses';
import { Migration20261203114527_query_audit_trace_id } from './Migration20261203114527_query_audit_trace_id';
import { Migration20261203114635_operators_on_the_record } from './Migration20261203114635_operators_on_the_record';
import { Migration20261203115401_rate_limit_counters } from './Migration20261203115401_rate_limit_counters';

/**
 * Every migration, in order. Listed explicitly (rather than found by a glob)
 * so the same list runs from TypeScript in tests and from `dist` in production.
 */
export const migrationsList = [
  { name: 'Migration20261123083947_lineage_tables', class: Migration20261123083947_lineage_tables },
  { name: 'Migration20261123095450_full_text_search', class: Migration20261123095450_full_text_search },
  { name: 'Migration20261123105241_audit_report_indexes', class: Migration20261123105241_audit_report_indexes },
  { name: 'Migration20261123112152_unreferenced_payload_index', class: Migration20261123112152_unreferenced_payload_index },
  { name: 'Migration20261123114044_integrity_index_only_checks', class: Migration20261123114044_integrity_index_only_checks },
  { name: 'Migration20261123131206_access_control_and_query_audit', class: Migration20261123131206_access_control_and_query_audit },
  { name: 'Migration20261123155203_immutable_record', class: Migration20261123155203_immutable_record },
  { name: 'Migration20261123160533_producer_external_ids', class: Migration20261123160533_producer_external_ids },
  { name: 'Migration20261123174300_trigger_lookups_by_index', class: Migration20261123174300_trigger_lookups_by_index },
  { name: 'Migration20261201090000_position_lots', class: Migration20261201090000_position_lots },
  { name: 'Migration20261201140105_audit_event_search', class: Migration20261201140105_audit_event_search },
  { name: 'Migration20261201163050_writers_never_wait', class: Migration20261201163050_writers_never_wait },
  { name: 'Migration20261201164251_verify_tree', class: Migration20261201164251_verify_tree },
  { name: 'Migration20261201173226_record_corrections', class: Migration20261201173226_record_corrections },
  { name: 'Migration20261201194910_admin_events', class: Migration20261201194910_admin_events },
  { name: 'Migration20261201231414_legal_holds', class: Migration20261201231414_legal_holds },
  { name: 'Migration20261201233000_restore_mode', class: Migration20261201233000_restore_mode },
  { name: 'Migration20261201234606_archived_bodies', class: Migration20261201234606_archived_bodies },
  { name: 'Migration20261202092000_restore_legal_holds', class: Migration20261202092000_restore_legal_holds },
  { name: 'Migration20261202141603_current_statuses', class: Migration20261202141603_current_statuses },
  { name: 'Migration20261203114527_query_audit_trace_id', class: Migration20261203114527_query_audit_trace_id },
  { name: 'Migration20261203114635_operators_on_the_record', class: Migration20261203114635_operators_on_the_record },
  { name: 'Migration20261203115401_rate_limit_counters', class: Migration20261203115401_rate_limit_counters },
];
