import fc from 'fast-check';
import { type GraphQLSchema, getNamedType, isObjectType } from 'graphql';
import pg from 'pg';
import { keyCaller } from '../src/auth/caller';
import { Role } from '../src/auth/roles';
import { parseGlobalId, toGlobalId } from '../src/graphql/global-id';
import type { NodeType } from '../src/lineage/node-types';
import { gatewaySchema } from '../src/server/schema';
import { type GraphQLResult, startTestGateway, type TestGateway } from './harness/gateway';
import { loadWorld, matchesSearch, type Row, SEARCH_TEXT, type World, worldArbitrary } from './harness/paging-world';

// Every connection of the built schema, walked over random data full of ties:
// all pages forward (first/after) and all pages backward (last/before) must
// each give every row exactly once, in the order the list declares.

const compareIds = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const oldestFirst = (rows: Row[]) =>
  [...rows].sort((a, b) => a.at - b.at || compareIds(a.id, b.id)).map((row) => row.id);
const newestFirst = (rows: Row[]) => oldestFirst(rows).reverse();
const inChainOrder = (rows: Row[]) => rows.map((row) => row.id).sort(compareIds);

type Parent = { type: NodeType; id: string } | null;
/** Per parent (one null parent for a root list): its rows' keys in the list's declared order. */
type Expected = { parent: Parent; keys: string[] }[];
type Spec = { expected(world: World): Expected; arguments?: string; admin?: boolean };

const root =
  (keys: (world: World) => string[]): Spec['expected'] =>
  (world) => [{ parent: null, keys: keys(world) }];
const PARENTS: Record<NodeType, (world: World) => Row[]> = {
  IngestionRun: (world) => world.runs,
  ApiPayload: (world) => world.payloads,
  TradeDecision: (world) => world.decisions,
  TradeExecution: (world) => world.executions,
  Position: (world) => world.positions,
};
const child =
  (type: NodeType, keys: (world: World, parentId: string) => string[]): Spec['expected'] =>
  (world) =>
    PARENTS[type](world).map((parent) => ({ parent: { type, id: parent.id }, keys: keys(world, parent.id) }));
const EVENT_SUBJECTS: Record<NodeType, string> = {
  IngestionRun: 'data_ingestion_runs',
  ApiPayload: 'api_payloads',
  TradeDecision: 'trade_decisions',
  TradeExecution: 'trade_executions',
  Position: 'positions',
};
const events = (type: NodeType): Spec => ({
  expected: child(type, (world, id) =>
    inChainOrder(
      world.events.filter((event) => event.subject?.table === EVENT_SUBJECTS[type] && event.subject.id === id),
    ),
  ),
});
const corrections = (type: NodeType): Spec => ({
  expected: child(type, (world, id) =>
    inChainOrder(
      world.corrections.filter(
        (correction) => correction.subject.table === EVENT_SUBJECTS[type] && correction.subject.id === id,
      ),
    ),
  ),
});
const inputPairs = (world: World, match: (pair: World['inputs'][number]) => boolean) => world.inputs.filter(match);

/** Search hits of equal rank come decisions first, then executions, then payloads, each by id. */
const KIND_ORDER = { DECISION: 1, EXECUTION: 2, PAYLOAD: 3 } as const;
const searchKeys = (world: World) => [
  ...world.decisions.filter((row) => matchesSearch(row.text)).map((row) => `DECISION:${row.id}`),
  ...world.executions.filter((row) => matchesSearch(row.text)).map((row) => `EXECUTION:${row.id}`),
  ...world.payloads.filter((row) => matchesSearch(row.text)).map((row) => `PAYLOAD:${row.id}`),
];

/** Every connection field of the schema, by its coordinate, with the rows it must list. */
const SPECS: Record<string, Spec> = {
  'Query.ingestionRuns': { expected: root((world) => newestFirst(world.runs)) },
  'Query.apiPayloads': { expected: root((world) => newestFirst(world.payloads)) },
  'Query.decisions': { expected: root((world) => newestFirst(world.decisions)) },
  'Query.executions': { expected: root((world) => newestFirst(world.executions)) },
  'Query.positions': { expected: root((world) => newestFirst(world.positions)) },
  'Query.auditEvents': { expected: root((world) => newestFirst(world.events)) },
  'Query.queryAuditLog': { expected: root((world) => newestFirst(world.queryAudit)), admin: true },
  // The set is the model's; its order is checked against the ranks the hits carry (ranking is PostgreSQL's).
  'Query.search': { expected: root(searchKeys), arguments: `query: "${SEARCH_TEXT}", ` },
  'IngestionRun.payloads': {
    expected: child('IngestionRun', (world, id) => oldestFirst(world.payloads.filter((row) => row.run === id))),
  },
  'ApiPayload.decisions': {
    expected: child('ApiPayload', (world, id) => {
      const fed = new Set(inputPairs(world, (pair) => pair.payload === id).map((pair) => pair.decision));
      return oldestFirst(world.decisions.filter((row) => fed.has(row.id)));
    }),
  },
  'ApiPayload.executions': {
    expected: child('ApiPayload', (world, id) =>
      oldestFirst(world.executions.filter((row) => row.request === id || row.response === id)),
    ),
  },
  'TradeDecision.inputs': {
    expected: child('TradeDecision', (world, id) => {
      const inputs = new Set(inputPairs(world, (pair) => pair.decision === id).map((pair) => pair.payload));
      return oldestFirst(world.payloads.filter((row) => inputs.has(row.id)));
    }),
  },
  'TradeDecision.executions': {
    expected: child('TradeDecision', (world, id) => oldestFirst(world.executions.filter((row) => row.decision === id))),
  },
  'Position.executions': {
    expected: child('Position', (world, id) => oldestFirst(world.executions.filter((row) => row.position === id))),
  },
  'IngestionRun.events': events('IngestionRun'),
  'ApiPayload.events': events('ApiPayload'),
  'TradeDecision.events': events('TradeDecision'),
  'TradeExecution.events': events('TradeExecution'),
  'Position.events': events('Position'),
  'IngestionRun.corrections': corrections('IngestionRun'),
  'ApiPayload.corrections': corrections('ApiPayload'),
  'TradeDecision.corrections': corrections('TradeDecision'),
  'TradeExecution.corrections': corrections('TradeExecution'),
  'Position.corrections': corrections('Position'),
};

/**
 * `Type.field` of every field, root or nested, whose type is a `…Connection`: a new connection
 * fails the coverage check until it has a spec.
 */
function connectionFields(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) =>
      Object.values(
        (
          type as { getFields(): Record<string, { name: string; type: Parameters<typeof getNamedType>[0] }> }
        ).getFields(),
      )
        .filter((field) => getNamedType(field.type)!.name.endsWith('Connection'))
        .map((field) => `${type.name}.${field.name}`),
    );
}

/** The node type a connection lists, read from its `nodes` field. */
function nodeTypeOf(schema: GraphQLSchema, coordinate: string): string {
  const [typeName, fieldName] = coordinate.split('.') as [string, string];
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const connection = getNamedType(type.getFields()[fieldName]!.type);
  if (!isObjectType(connection)) throw new Error(`${coordinate} is not a connection`);
  return getNamedType(connection.getFields().nodes!.type).name;
}

/** What identifies a listed item, and how to read it back. */
const IDENTITY: Record<string, { select: string; key(node: any): string }> = {
  AuditEvent: { select: 'seq', key: (node) => node.seq },
  QueryAuditEntry: { select: 'id', key: (node) => node.id },
  RecordCorrection: { select: 'id', key: (node) => parseGlobalId(node.id)!.databaseId },
  SearchHit: { select: 'kind rank node { databaseId }', key: (node) => `${node.kind}:${node.node.databaseId}` },
  Node: { select: 'databaseId', key: (node) => node.databaseId },
};
const LOOKUPS: Record<NodeType, string> = {
  IngestionRun: 'ingestionRun',
  ApiPayload: 'apiPayload',
  TradeDecision: 'decision',
  TradeExecution: 'execution',
  Position: 'position',
};
const PAGE_VARIABLES = '$first: Int, $after: String, $last: Int, $before: String';
const PAGE_ARGUMENTS = 'first: $first, after: $after, last: $last, before: $before';

/**
 * A child list is read through `node(id:)` (the loaders) or the type's own lookup (which reads
 * ahead); both must page alike.
 */
type Path = 'node' | 'lookup';

function pageDocument(coordinate: string, spec: Spec, select: string, path: Path): string {
  const [typeName, field] = coordinate.split('.') as [string, string];
  const list = `list: ${field}(${spec.arguments ?? ''}${PAGE_ARGUMENTS}) {
    edges { cursor node { ${select} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`;
  if (typeName === 'Query') return `query Walk(${PAGE_VARIABLES}) { ${list} }`;
  const parent =
    path === 'node'
      ? `node(id: $id) { ... on ${typeName} { ${list} } }`
      : `${LOOKUPS[typeName as NodeType]}(id: $id) { ${list} }`;
  return `query Walk($id: ID!, ${PAGE_VARIABLES}) { parent: ${parent} }`;
}

type Walked = { key: string; rank?: number }[];

describe('every connection walks every row exactly once, forward and backward, in its declared order', () => {
  let gateway: TestGateway;
  let schema: GraphQLSchema;
  let writer: pg.Client;
  const admin = keyCaller({ id: '1', name: 'paging', role: Role.admin, expiresAt: null }, 'test');

  beforeAll(async () => {
    gateway = await startTestGateway();
    schema = await gatewaySchema();
    writer = new pg.Client({ connectionString: gateway.database.url });
    await writer.connect();
    await writer.query('set session_replication_role = replica');
  });
  afterAll(async () => {
    await writer.end();
    await gateway.close();
  });

  it('covers every connection field of the schema', () => {
    expect(connectionFields(schema).sort()).toEqual(Object.keys(SPECS).sort());
  });

  /** All pages of one list in one direction, page sizes taken in turn from `sizes`, in list order. */
  async function walk(
    document: string,
    parent: Parent,
    identity: (typeof IDENTITY)[string],
    sizes: number[],
    forward: boolean,
    caller?: typeof admin,
    most = 200,
  ): Promise<Walked> {
    const pages: Walked[] = [];
    let cursor: string | null = null;
    for (let step = 0; ; step++) {
      if (step > most) throw new Error(`the ${forward ? 'forward' : 'backward'} walk did not end after ${most} pages`);
      const size = sizes[step % sizes.length]!;
      const variables: Record<string, unknown> = {
        ...(parent ? { id: toGlobalId(parent.type, parent.id) } : {}),
        ...(forward ? { first: size, after: cursor } : { last: size, before: cursor }),
      };
      const result: GraphQLResult = await gateway.execute(document, variables, caller);
      expect(result.errors).toBeUndefined();
      const page: any = parent ? result.data!.parent.list : result.data!.list;
      expect(page.edges.length).toBeLessThanOrEqual(size);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      const items = page.edges.map((edge: any) => ({ key: identity.key(edge.node), rank: edge.node.rank }));
      if (forward) pages.push(items);
      else pages.unshift(items);
      const more = forward ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) return pages.flat();
      cursor = forward ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    }
  }

  /** Search's declared order: rank highest first, then kind, then id as a number. */
  function searchOrder(keys: string[], walked: Walked): string[] {
    const ranks = new Map(walked.map((item) => [item.key, item.rank!]));
    const [kind, id] = [
      (key: string) => KIND_ORDER[key.split(':')[0] as keyof typeof KIND_ORDER],
      (key: string) => key.split(':')[1]!,
    ];
    return [...keys].sort(
      (a, b) => (ranks.get(b) ?? 0) - (ranks.get(a) ?? 0) || kind(a) - kind(b) || compareIds(id(a), id(b)),
    );
  }

  it.each(Object.keys(SPECS))('%s', async (coordinate) => {
    const spec = SPECS[coordinate]!;
    const nodeType = nodeTypeOf(schema, coordinate);
    const identity = IDENTITY[nodeType] ?? IDENTITY.Node!;
    const sizes = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        worldArbitrary,
        sizes,
        fc.constantFrom<Path>('node', 'lookup'),
        async (world, pageSizes, path) => {
          await loadWorld(writer, world);
          const document = pageDocument(coordinate, spec, identity.select, path);
          for (const { parent, keys } of spec.expected(world)) {
            const caller = spec.admin ? admin : undefined;
            const forward = await walk(document, parent, identity, pageSizes, true, caller, keys.length + 2);
            const inOrder = (walked: Walked) => (nodeType === 'SearchHit' ? searchOrder(keys, walked) : keys);
            expect({ parent, forward: forward.map((item) => item.key) }).toEqual({ parent, forward: inOrder(forward) });
            const backward = await walk(document, parent, identity, pageSizes, false, caller, keys.length + 2);
            expect({ parent, backward: backward.map((item) => item.key) }).toEqual({
              parent,
              backward: inOrder(backward),
            });
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
