import { getNamedType, type GraphQLEnumType, GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { NODE_TYPE_NAMES } from '../src/lineage/node-types';
import { RELATION_FIELDS } from '../src/lineage/relations';
import { LIST_ORDERS } from '../src/queries/list-order';
import { gatewaySchema } from '../src/server/schema';

/** The record type a connection field pages, from its `nodes`. */
const pagedType = (type: GraphQLObjectType) => getNamedType(type.getFields().nodes!.type).name;

/** Every connection field of the schema: root lists and every node's own lists. */
function connectionFields(schema: GraphQLSchema) {
  return Object.values(schema.getTypeMap()).flatMap((type) =>
    type instanceof GraphQLObjectType && !type.name.startsWith('__')
      ? Object.values(type.getFields()).flatMap((field) => {
          const target = getNamedType(field.type);
          return target instanceof GraphQLObjectType && target.name.endsWith('Connection') && target.getFields().nodes
            ? [{ at: `${type.name}.${field.name}`, field, records: pagedType(target) }]
            : [];
        })
      : [],
  );
}

describe('orderBy: and where: in the schema follow LIST_ORDERS and the lineage registry', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await gatewaySchema();
  });

  it("offers each record type's orders, and only them, as its Order enum", () => {
    for (const [type, orders] of Object.entries(LIST_ORDERS)) {
      const values = (schema.getType(orders.enumName) as GraphQLEnumType).getValues();
      expect([type, values.map(({ name }) => name).sort()]).toEqual([
        type,
        orders.orders.map(({ name }) => name).sort(),
      ]);
      for (const value of values) expect(value.description).toMatch(/^By /);
    }
  });

  it('gives every list of a record type with orders an orderBy: of its enum', () => {
    const lists = connectionFields(schema).filter(({ records }) => records in LIST_ORDERS);
    expect(lists.length).toBeGreaterThan(10);
    for (const { at, field, records } of lists) {
      const orderBy = field.args.find((arg) => arg.name === 'orderBy');
      expect([at, orderBy && String(orderBy.type)]).toEqual([at, `${records}Order`]);
    }
  });

  it("gives every node's own list of the registry, and every node's events, a where: of the type it leads to", () => {
    const ownLists = [
      ...[...RELATION_FIELDS].flatMap(([name, directions]) =>
        directions[0]!.one ? [] : [{ at: name, leadsTo: directions[0]!.leadsTo as string }],
      ),
      ...NODE_TYPE_NAMES.map((type) => ({ at: `${type}.events`, leadsTo: 'AuditEvent' })),
    ];
    expect(ownLists.length).toBeGreaterThanOrEqual(11);
    for (const { at, leadsTo } of ownLists) {
      const [type, name] = at.split('.');
      const field = (schema.getType(type!) as GraphQLObjectType).getFields()[name!]!;
      const where = field.args.find((arg) => arg.name === 'where');
      expect([at, where && String(where.type)]).toEqual([at, `${leadsTo}Where`]);
    }
  });
});
