import 'reflect-metadata';
import { SUBJECT_TABLES } from '../src/entities/audit-event.entity';
import { NODE_TYPE_NAMES, tableOf } from '../src/lineage/node-types';
import { EDGES, storageOf } from '../src/lineage/relations';
import { createTestDatabase, type TestDatabase, withClient } from './harness/database';

/**
 * Every table of the lineage record — each node type's and each edge's — is
 * chained (its rows hashed into records_written events) and append-only. A
 * migration for a new node type or join table must add these triggers by
 * hand (a generated migration has none), and nothing else would notice.
 */
const RECORD_TABLES = [
  ...new Set([...NODE_TYPE_NAMES.map(tableOf), ...EDGES.map((edge) => storageOf(edge).table), ...SUBJECT_TABLES]),
];

describe('the lineage record is chained and append-only, table by table', () => {
  let database: TestDatabase;
  let triggers: Map<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    triggers = await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ name: string; definition: string }>(
        `select t.tgname as name, pg_get_triggerdef(t.oid) as definition
           from pg_trigger t where not t.tgisinternal`,
      );
      return new Map(rows.map((row) => [row.name, row.definition]));
    });
  });
  afterAll(() => database.drop());

  it.each(RECORD_TABLES)('%s: every insert is hashed into the chain', (table) => {
    expect(triggers.get(`${table}_recorded`)).toMatch(
      new RegExp(`AFTER INSERT ON public\\.${table} .* EXECUTE FUNCTION auditgraph_record_written\\(\\)`),
    );
  });

  it.each(RECORD_TABLES)('%s: no delete, no update (but a purged payload body), no truncate', (table) => {
    const changes = table === 'api_payloads' ? 'DELETE' : 'DELETE OR UPDATE';
    expect(triggers.get(`${table}_append_only`)).toMatch(
      new RegExp(`BEFORE ${changes} ON public\\.${table} .* EXECUTE FUNCTION auditgraph_refuse_change\\(\\)`),
    );
    expect(triggers.get(`${table}_no_truncate`)).toMatch(
      new RegExp(`BEFORE TRUNCATE ON public\\.${table} .* EXECUTE FUNCTION auditgraph_refuse_change\\(\\)`),
    );
  });
});
