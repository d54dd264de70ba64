import 'reflect-metadata';
import { SUBJECT_TABLES } from '../src/entities/audit-event.entity';
import { NODE_TYPE_NAMES, tableOf } from '../src/lineage/node-types';
import { EDGES, storageOf } from '../src/lineage/relations';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

/**
 * Every table of the record — each node type's, each edge's, the event log
 * and the query audit log — notes its writer's transaction (recorded_xid,
 * filled by the database, indexed: the integrator finds committed rows by
 * it) and is append-only; and no trigger hashes or numbers rows as they are
 * written, since that is what made writers wait (issue 23: the Merkle tree
 * is grown after commit). A migration for a new record table must add the
 * column and the triggers by hand, and nothing else would notice.
 */
const RECORD_TABLES = [
  ...new Set([
    ...NODE_TYPE_NAMES.map(tableOf),
    ...EDGES.map((edge) => storageOf(edge).table),
    ...SUBJECT_TABLES,
    'audit_events',
    'query_audit_log',
    'record_corrections',
  ]),
];
/** The node tables: an UPDATE of theirs is let through only for a correction (src/corrections). */
const CORRECTABLE = new Set<string>(NODE_TYPE_NAMES.map(tableOf));

/** The only triggers a record table may have: refusals, and the two guarded exceptions (purge, correction). */
const REFUSALS = /^(append_only|no_truncate|append_only_update|correction_only)$/;

describe('the record is append-only and notes its writers, table by table, with no hashing trigger', () => {
  let database: TestDatabase;
  let triggers: { table: string; name: string; definition: string }[];
  let columns: Map<string, { type: string; nullable: string; default: string | null }>;
  let indexes: Map<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    await withClient(database.url, async (client) => {
      triggers = (
        await client.query<{ table: string; name: string; definition: string }>(
          `select c.relname as table, t.tgname as name, pg_get_triggerdef(t.oid) as definition
             from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal`,
        )
      ).rows;
      const found = await client.query<{ table: string; type: string; nullable: string; default: string | null }>(
        `select table_name as table, data_type as type, is_nullable as nullable, column_default as default
           from information_schema.columns where column_name = 'recorded_xid'`,
      );
      columns = new Map(found.rows.map((row) => [row.table, row]));
      const indexed = await client.query<{ table: string; definition: string }>(
        `select tablename as table, indexdef as definition from pg_indexes where indexdef like '%(recorded_xid)'`,
      );
      indexes = new Map(indexed.rows.map((row) => [row.table, row.definition]));
    });
  });
  afterAll(() => database.drop());

  it.each(RECORD_TABLES)("%s: recorded_xid, the writer's transaction by default, indexed", (table) => {
    expect(columns.get(table)).toEqual({ table, type: 'xid8', nullable: 'NO', default: 'pg_current_xact_id()' });
    expect(indexes.get(table)).toBe(
      `CREATE INDEX ${table}_recorded_xid_index ON public.${table} USING btree (recorded_xid)`,
    );
  });

  it.each(RECORD_TABLES)(
    '%s: no delete, no update (but a purged payload body or a correction), no truncate',
    (table) => {
      const changes = CORRECTABLE.has(table) ? 'DELETE' : 'DELETE OR UPDATE';
      if (CORRECTABLE.has(table))
        expect(triggers.find((trigger) => trigger.name === `${table}_correction_only`)?.definition).toMatch(
          new RegExp(
            `BEFORE UPDATE ON public\\.${table} FOR EACH ROW .*EXECUTE FUNCTION auditgraph_correction_only\\('\\{`,
          ),
        );
      const of = (name: string) => triggers.find((trigger) => trigger.name === name)?.definition;
      expect(of(`${table}_append_only`)).toMatch(
        new RegExp(`BEFORE ${changes} ON public\\.${table} .* EXECUTE FUNCTION auditgraph_refuse_change\\(\\)`),
      );
      expect(of(`${table}_no_truncate`)).toMatch(
        new RegExp(`BEFORE TRUNCATE ON public\\.${table} .* EXECUTE FUNCTION auditgraph_refuse_change\\(\\)`),
      );
    },
  );

  it.each(RECORD_TABLES)('%s: no trigger but the refusals (nothing hashes, numbers or locks per row)', (table) => {
    const others = triggers
      .filter((trigger) => trigger.table === table)
      .filter((trigger) => !REFUSALS.test(trigger.name.slice(table.length + 1)));
    expect(others).toEqual([]);
    // The purge's exception only lets a body go: it runs on UPDATE, which no writer does.
    const update = triggers.find((trigger) => trigger.name === `${table}_append_only_update`);
    if (update)
      expect(update.definition).toMatch(
        /BEFORE UPDATE ON public\.api_payloads FOR EACH ROW WHEN .*auditgraph\.correction.* EXECUTE FUNCTION auditgraph_purge_body_only/,
      );
  });

  it.each(['merkle_leaves', 'merkle_nodes', 'merkle_checkpoints', 'checkpoint_keys'])(
    '%s (the tree): append-only',
    (table) => {
      const names = triggers.filter((trigger) => trigger.table === table).map((trigger) => trigger.name);
      expect(names.sort()).toEqual([`${table}_append_only`, `${table}_no_truncate`]);
    },
  );

  it('merkle_integration: updated by the integrator, never deleted or truncated, and one row from the start', async () => {
    const names = triggers.filter((trigger) => trigger.table === 'merkle_integration').map((trigger) => trigger.name);
    expect(names.sort()).toEqual(['merkle_integration_no_delete', 'merkle_integration_no_truncate']);
    await withClient(database.url, async (client) => {
      const { rows } = await client.query(
        `select tree_size::int as size, encode(root, 'hex') as root, snapshot::text from merkle_integration`,
      );
      expect(rows).toEqual([
        { size: 0, root: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', snapshot: '1:1:' },
      ]);
      await expect(client.query(`delete from merkle_integration`)).rejects.toThrow(/append-only: DELETE refused/);
      await expect(
        client.query(`insert into merkle_integration (tree_size, root, snapshot) values (0, '\\x00', '1:1:')`),
      ).rejects.toThrow(/merkle_integration_pkey/);
      await expect(
        client.query(
          `insert into merkle_integration (singleton, tree_size, root, snapshot) values (false, 0, '\\x00', '1:1:')`,
        ),
      ).rejects.toThrow(/merkle_integration_one_row/);
    });
  });
});
