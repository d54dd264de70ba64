import { readFileSync } from 'node:fs';
import { type EntityMetadata, MikroORM } from '@mikro-orm/postgresql';
import { type GraphQLInterfaceType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { persistedColumnsOf, tableNameOf } from '../src/database/entity-metadata';
import { RECORDED_XID } from '../src/entities/recorded-xid';
import { ormOptions } from '../src/database/orm';
import { DecisionInput, entities } from '../src/entities';
import { AuditEvent, SUBJECT_TABLES } from '../src/entities/audit-event.entity';
import { Node } from '../src/graphql/node.interface';
import { gatewaySchema } from '../src/server/schema';
import { LIFECYCLE_TYPES, NODE_TYPE_NAMES, NODE_TYPES, tableOf } from '../src/lineage/node-types';
import { RecordKind } from '../src/record/record-inputs';

/**
 * The node-type registry (src/lineage/node-types.ts) states each node type
 * once; these check it against what the ORM and the schema know, so that it
 * cannot drift from the entities.
 */
describe('the node-type registry agrees with the ORM and the schema', () => {
  let orm: MikroORM;
  const metaOf = (entity: { name: string }): EntityMetadata => orm.getMetadata().get(entity.name);

  beforeAll(async () => {
    // The ORM as the gateway configures it, discovered without a database.
    orm = await MikroORM.init({ ...ormOptions({ databaseUrl: 'postgresql://localhost/unused' }), connect: false });
  });
  afterAll(() => orm.close());

  it.each(NODE_TYPE_NAMES)('%s: its entity is a MikroORM entity of that name, stored in its table', (type) => {
    const { entity } = NODE_TYPES[type];
    expect(entities).toContain(entity);
    expect(entity.name).toBe(type);
    expect(metaOf(entity).tableName).toBe(tableOf(type));
  });

  it.each(NODE_TYPE_NAMES)('%s: its external key is a unique column', (type) => {
    const { entity, externalKey } = NODE_TYPES[type];
    const property = metaOf(entity).properties[externalKey as never] as EntityMetadata['props'][number];
    expect(property).toBeDefined();
    expect(property.persist).not.toBe(false);
    expect(property.fieldNames).toHaveLength(1);
    expect(property.unique).toBe(true);
  });

  it.each(LIFECYCLE_TYPES.map(({ type, lifecycle }) => [type, lifecycle] as const))(
    '%s: every status its lifecycle names is a value of its status column',
    (type, { transitions }) => {
      const status = metaOf(NODE_TYPES[type].entity).properties['status' as never] as EntityMetadata['props'][number];
      expect(status?.enum).toBe(true);
      const named = Object.entries(transitions).flatMap(([from, to]) => [from, ...(to ?? [])]);
      expect(named.length).toBeGreaterThan(0);
      for (const value of named) expect(status.items).toContain(value);
    },
  );

  it('lifecycle kinds are distinct, and RecordKind holds one value per lifecycle: its table', () => {
    const kinds = LIFECYCLE_TYPES.map(({ lifecycle }) => lifecycle.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(RecordKind).toEqual(
      Object.fromEntries(LIFECYCLE_TYPES.map(({ type, lifecycle }) => [lifecycle.kind, tableOf(type)])),
    );
  });

  it('the classes implementing GraphQL Node are exactly the registered entities, and the schema agrees', async () => {
    const implementing = getMetadataStorage()
      .objectTypes.filter((type) => type.interfaceClasses?.includes(Node))
      .map((type) => type.target);
    expect(new Set(implementing)).toEqual(new Set(NODE_TYPE_NAMES.map((type) => NODE_TYPES[type].entity)));
    const schema = await gatewaySchema();
    const implementations = schema.getPossibleTypes(schema.getType('Node') as GraphQLInterfaceType);
    expect(implementations.map((type) => type.name).sort()).toEqual([...NODE_TYPE_NAMES].sort());
  });

  it("subject_table holds the node types' tables and decision_inputs, as the migrations made it", () => {
    // SUBJECT_TABLES stays in the entity, where MikroORM reads it for the column's check constraint.
    expect([...SUBJECT_TABLES].sort()).toEqual([...NODE_TYPE_NAMES.map(tableOf), tableNameOf(DecisionInput)].sort());
    expect(metaOf(AuditEvent).properties.subjectTable.items).toEqual([...SUBJECT_TABLES]);
    const snapshot = JSON.parse(readFileSync(`${__dirname}/../migrations/.snapshot.json`, 'utf8')) as {
      tables: { name: string; columns: Record<string, { enumItems?: string[] }> }[];
    };
    const events = snapshot.tables.find((table) => table.name === 'audit_events')!;
    expect(events.columns.subject_table!.enumItems).toEqual([...SUBJECT_TABLES]);
  });

  it("entity-metadata.ts (discovered without an ORM) names every entity's table and columns as the ORM does", () => {
    for (const entity of entities) {
      const meta = metaOf(entity);
      expect(tableNameOf(entity)).toBe(meta.tableName);
      // All but recorded_xid, which only the database writes.
      const columns = meta.props
        .filter((prop) => prop.persist !== false && prop.name !== RECORDED_XID)
        .flatMap((prop) => prop.fieldNames ?? []);
      expect(persistedColumnsOf(entity).map(({ column }) => column)).toEqual(columns);
    }
  });
});
