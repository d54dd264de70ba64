import { Migration20261123083947_lineage_tables } from './Migration20261123083947_lineage_tables';

/**
 * Every migration, in order. Listed explicitly (rather than found by a glob)
 * so the same list runs from TypeScript in tests and from `dist` in production.
 */
export const migrationsList = [
  { name: 'Migration20261123083947_lineage_tables', class: Migration20261123083947_lineage_tables },
];
