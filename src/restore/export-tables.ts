/**
 * The tables an export carries besides the leaves, and the order a restore
 * writes them in: a key's row before the query audit entries that name it
 * (api_keys), a body's tombstone and its archive index row after its payload,
 * a hold before its release, both after the events their checks look for.
 * The leaf tables are LEAF_SOURCES' own (src/integrator/leaf-sources.ts).
 * Every table of the schema is one of these, a leaf table, a manifest table
 * or NOT_EXPORTED: test/export-tables.test.ts fails on a table none names.
 */
export const TABLES_BEFORE_LEAVES = ['api_keys', 'query_documents'] as const;
export const TABLES_AFTER_LEAVES = [
  'api_payload_tombstones',
  'chain_verifications',
  'legal_holds',
  'legal_hold_releases',
  'archived_bodies',
] as const;
/** Carried in the export's top manifest, not as table files: the checkpoints and the keys that signed them. */
export const MANIFEST_TABLES = ['merkle_checkpoints', 'checkpoint_keys'] as const;

/** Everything a restored database gets without the export, and why. */
export const NOT_EXPORTED: Record<string, string> = {
  merkle_leaves: 'rebuilt from the restored records, each leaf matched to the hash the export lists',
  merkle_nodes: 'rebuilt from the leaves, and checked against the checkpoint root',
  merkle_integration: 'set by restore to the restored tree, after the restored rows',
  current_statuses:
    'derived from the records and their status events: rebuilt by restore after the restored rows, as of the restored tree',
  rate_limit_counters:
    "how many requests each caller made in its current minute: operational, and a restored database's callers start afresh",
  mikro_orm_migrations: 'written by the migrations restore runs first',
  'checkpoint signer key':
    'a file outside the database (AUDITGRAPH_CHECKPOINT_KEY_FILE), never in it: keep it with your secrets',
  'API key secrets': 'never stored: api_keys holds only their hashes (exported, so the keys callers hold keep working)',
  'archive key': 'the export is encrypted with it; keep it apart from the export',
};
