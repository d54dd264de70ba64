import { getNamedType, type GraphQLField, GraphQLInterfaceType, GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { gatewaySchema } from '../src/server/schema';
import { isNodeType } from '../src/lineage/node-types';
import { EDGES, RELATION_FIELDS, relationField, storageOf } from '../src/lineage/relations';

const implementsNode = (type: GraphQLObjectType) => type.getInterfaces().some(({ name }) => name === 'Node');

/** The node type a field leads to (`Node` for any), itself or as the nodes of its connection, or null. */
function nodeTypeLedTo(field: GraphQLField<unknown, unknown>): string | null {
  const type = getNamedType(field.type);
  if (type instanceof GraphQLInterfaceType && type.name === 'Node') return 'Node';
  if (!(type instanceof GraphQLObjectType)) return null;
  if (implementsNode(type)) return type.name;
  const nodes = type.name.endsWith('Connection') ? type.getFields().nodes : undefined;
  const node = nodes && getNamedType(nodes.type);
  return node instanceof GraphQLObjectType && implementsNode(node) ? node.name : null;
}

/**
 * Fields that lead to nodes without being an edge of the lineage graph, each
 * with why; `*` stands for any type name's start.
 */
const NOT_EDGES: Record<string, string> = {
  'Query.node': 'a lookup of any node by global id',
  'Query.nodes': 'lookups of nodes by global id',
  'Query.ingestionRun': 'a root lookup',
  'Query.ingestionRuns': 'a root list',
  'Query.apiPayload': 'a root lookup',
  'Query.apiPayloads': 'a root list',
  'Query.decision': 'a root lookup',
  'Query.decisions': 'a root list',
  'Query.execution': 'a root lookup',
  'Query.executions': 'a root list',
  'Query.position': 'a root lookup',
  'Query.positions': 'a root list',
  '*Connection.nodes': "a connection's own nodes, not a relation",
  '*Edge.node': "a connection edge's node, not a relation",
  'LineageGraph.root': 'the node a lineage walk started from',
  'LineageGraph.nodes': 'the nodes a lineage walk reached (its edges are LineageEdge)',
  'Query.correlated': 'the records of one correlation id, not a lineage walk',
  'SearchHit.node': 'a full-text match',
  'AuditEvent.subject': 'the record an audit event is about (events are not lineage nodes)',
  'RecordCorrection.subject': 'the record a correction corrects (corrections are not lineage nodes)',
  'IntegrityItem.node': 'a record an integrity check flagged',
  'SymbolReport.decisions': "a report's rows",
  'SymbolReport.executions': "a report's rows",
};

/** Whether exclusion `name` (`Type.field`, `*Suffix.field`) names `typeName.fieldName`. */
const names = (name: string, typeName: string, fieldName: string) => {
  const [type, field] = name.split('.') as [string, string];
  return field === fieldName && (type.startsWith('*') ? typeName.endsWith(type.slice(1)) : type === typeName);
};
const excluded = (typeName: string, fieldName: string) =>
  Object.keys(NOT_EDGES).some((name) => names(name, typeName, fieldName));

describe('the lineage registry and the schema', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await gatewaySchema();
  });

  it('has an edge for every field leading to a node, but for the named exclusions', () => {
    const unregistered: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        if (!nodeTypeLedTo(field) || excluded(type.name, field.name)) continue;
        const directions = isNodeType(type.name) ? relationField(type.name, field.name) : undefined;
        if (!directions) unregistered.push(`${name}: ${String(field.type)}`);
      }
    }
    expect(unregistered).toEqual([]);
  });

  it('has every edge of the registry as a field, leading to the node type the registry says', () => {
    const missing: string[] = [];
    for (const [name, directions] of RELATION_FIELDS) {
      const [typeName, fieldName] = name.split('.') as [string, string];
      const type = schema.getType(typeName);
      const field = type instanceof GraphQLObjectType ? type.getFields()[fieldName] : undefined;
      const ledTo = field ? nodeTypeLedTo(field) : null;
      if (ledTo !== directions[0]!.leadsTo) missing.push(`${name} → ${directions[0]!.leadsTo} (schema: ${ledTo})`);
    }
    expect(missing).toEqual([]);
  });

  it("stores every edge in columns the entities declare, each leading to the edge's node types", () => {
    // Every edge resolves (storageOf refuses a column leading elsewhere);
    // those the walk's SQL was written for stay where they were.
    expect(EDGES.map((edge) => [edge.kind, storageOf(edge)])).toEqual(
      expect.arrayContaining([
        ['FETCHED', { table: 'api_payloads', fromColumn: 'ingestion_run_id', toColumn: 'id' }],
        ['FED', { table: 'decision_inputs', fromColumn: 'api_payload_id', toColumn: 'trade_decision_id' }],
        ['EXECUTED_AS', { table: 'trade_executions', fromColumn: 'trade_decision_id', toColumn: 'id' }],
        ['REQUESTED', { table: 'trade_executions', fromColumn: 'id', toColumn: 'api_request_payload_id' }],
        ['RESPONDED', { table: 'trade_executions', fromColumn: 'id', toColumn: 'api_response_payload_id' }],
        ['BUILT', { table: 'trade_executions', fromColumn: 'id', toColumn: 'position_id' }],
      ]),
    );
  });

  it('names only fields that exist in its exclusions', () => {
    const fields = Object.values(schema.getTypeMap()).flatMap((type) =>
      type instanceof GraphQLObjectType ? Object.keys(type.getFields()).map((field) => [type.name, field]) : [],
    );
    const stale = Object.keys(NOT_EDGES).filter(
      (name) => !fields.some(([typeName, fieldName]) => names(name, typeName!, fieldName!)),
    );
    expect(stale).toEqual([]);
  });
});
