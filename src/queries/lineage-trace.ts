import type { EntityManager } from '@mikro-orm/postgresql';
import { NODE_TYPE_NAMES, type NodeType } from '../lineage/node-types';
import { type Edge, EDGES, type EdgeKind, storageOf } from '../lineage/relations';

export type NodeRef = { type: NodeType; id: string };
export type EdgeRef = { kind: EdgeKind; from: NodeRef; to: NodeRef };
export type Direction = 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';

export type LineageTrace = {
  nodes: NodeRef[];
  edges: EdgeRef[];
  /** Nodes whose further neighbours were not followed, because of the depth or the node budget. */
  cutAt: NodeRef[];
  truncatedBy: ('depth' | 'maxNodes')[];
};

type EdgeRow = { kind: EdgeKind; from_type: NodeType; from_id: string; to_type: NodeType; to_id: string };
type WalkDirection = 'UPSTREAM' | 'DOWNSTREAM';
type End = 'from' | 'to';

/**
 * The branch of `edge` leaving the frontier's nodes at `ends`: one indexed
 * lookup, on the column holding that end's id (bound as one array per node
 * type). A foreign key's holder is found by its own id, so a holder whose key
 * is not set is no edge.
 */
function branch(edge: Edge, ends: End[]): string {
  const { table, fromColumn, toColumn } = storageOf(edge);
  const columns = { from: fromColumn, to: toColumn };
  const types = { from: edge.from, to: edge.to };
  const lookups = ends.map((end) => `${columns[end]} = any(:${types[end]}::bigint[])`);
  const condition = lookups.length > 1 ? `(${lookups.join(' or ')})` : lookups[0]!;
  const holderId = ends.some((end) => columns[end] === 'id');
  const link = fromColumn === 'id' ? toColumn : fromColumn;
  return `select '${edge.kind}' as kind, '${edge.from}' as from_type, ${fromColumn}::text as from_id,
        '${edge.to}' as to_type, ${toColumn}::text as to_id
      from ${table} where ${condition}${holderId ? ` and ${link} is not null` : ''}`;
}

/**
 * Edges leaving the frontier, by direction, from the lineage registry:
 * downstream from each edge's `from` end, upstream from its `to` end, and
 * all branches of a level as one statement. A broker request or response is
 * evidence of its execution (`evidence` in the registry), so walking either
 * way from an execution brings both along: upstream, those edges are also
 * followed from their `from` end.
 */
const neighboursSql = (direction: WalkDirection): string =>
  EDGES.map((edge) =>
    branch(edge, direction === 'DOWNSTREAM' ? ['from'] : 'evidence' in edge ? ['from', 'to'] : ['to']),
  ).join('\n    union all ');

const NEIGHBOURS = new Map<WalkDirection, string>();

const key = (node: NodeRef) => `${node.type}:${node.id}`;

/**
 * Walks the lineage graph from `root`, one statement per level and direction
 * (BOTH walks up and down from the root, not the whole connected component).
 * Stops at `depth` levels or `maxNodes` nodes; when either cuts the graph,
 * `truncatedBy` says which and `cutAt` names the nodes where it stopped. One
 * more look past the last level tells whether the depth bound cut anything.
 */
export async function traceLineage(
  em: EntityManager,
  root: NodeRef,
  options: { direction: Direction; depth: number; maxNodes: number },
): Promise<LineageTrace> {
  const visited = new Map<string, NodeRef>([[key(root), root]]);
  const edges = new Map<string, EdgeRef>();
  const cutAt = new Map<string, NodeRef>();
  const truncatedBy = new Set<'depth' | 'maxNodes'>();
  const directions: WalkDirection[] = options.direction === 'BOTH' ? ['UPSTREAM', 'DOWNSTREAM'] : [options.direction];

  for (const direction of directions) {
    let frontier: NodeRef[] = [root];
    for (let level = 1; level <= options.depth && frontier.length > 0; level++) {
      const rows = await neighbours(em, direction, frontier);
      const inFrontier = new Set(frontier.map(key));
      const next: NodeRef[] = [];
      for (const row of rows) {
        const from: NodeRef = { type: row.from_type, id: row.from_id };
        const to: NodeRef = { type: row.to_type, id: row.to_id };
        const [known, reached] = direction === 'DOWNSTREAM' || !inFrontier.has(key(to)) ? [from, to] : [to, from];
        if (!visited.has(key(reached))) {
          if (visited.size >= options.maxNodes) {
            truncatedBy.add('maxNodes');
            cutAt.set(key(known), known);
            continue;
          }
          visited.set(key(reached), reached);
          next.push(reached);
        }
        edges.set(`${row.kind}:${key(from)}>${key(to)}`, { kind: row.kind, from, to });
      }
      frontier = next;
    }
    const beyond = frontier.length > 0 ? await neighbours(em, direction, frontier) : [];
    if (
      beyond.some(
        (row) => !visited.has(`${row.to_type}:${row.to_id}`) || !visited.has(`${row.from_type}:${row.from_id}`),
      )
    ) {
      truncatedBy.add('depth');
      for (const node of frontier) cutAt.set(key(node), node);
    }
  }
  return {
    nodes: [...visited.values()],
    edges: [...edges.values()],
    cutAt: [...cutAt.values()],
    truncatedBy: [...truncatedBy],
  };
}

async function neighbours(em: EntityManager, direction: WalkDirection, frontier: NodeRef[]): Promise<EdgeRow[]> {
  const ids = new Map<NodeType, string[]>(NODE_TYPE_NAMES.map((type) => [type, []]));
  for (const node of frontier) ids.get(node.type)!.push(node.id);
  // Ids are validated digits, so a PostgreSQL array literal is safe; one parameter per type.
  const bindings = Object.fromEntries([...ids].map(([type, typeIds]) => [type, `{${typeIds.join(',')}}`]));
  if (!NEIGHBOURS.has(direction)) NEIGHBOURS.set(direction, neighboursSql(direction));
  const sql = `select * from (${NEIGHBOURS.get(direction)}) neighbours order by kind, to_id::bigint, from_id::bigint`;
  return em
    .getConnection()
    .getKnex()
    .raw(sql, bindings)
    .then((result: { rows: EdgeRow[] }) => result.rows);
}
