import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeType } from '../graphql/global-id';

export type NodeRef = { type: NodeType; id: string };
export type EdgeKind = 'FETCHED' | 'FED' | 'EXECUTED_AS' | 'REQUESTED' | 'RESPONDED' | 'BUILT';
export type EdgeRef = { kind: EdgeKind; from: NodeRef; to: NodeRef };
export type Direction = 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';

export type LineageTrace = {
  nodes: NodeRef[];
  edges: EdgeRef[];
  /** Nodes whose further neighbours were not followed, because of the depth or the node budget. */
  cutAt: NodeRef[];
  truncatedBy: ('depth' | 'maxNodes')[];
};

type Frontier = Record<NodeType, string[]>;
type EdgeRow = { kind: EdgeKind; from_type: NodeType; from_id: string; to_type: NodeType; to_id: string };

/**
 * Edges leaving the frontier, by direction: each branch is one indexed
 * lookup, and all branches of a level run as one statement. A broker request
 * or response is evidence of its execution, so walking either way from an
 * execution brings both along.
 */
const NEIGHBOURS: Record<'UPSTREAM' | 'DOWNSTREAM', string> = {
  DOWNSTREAM: `
    select 'FETCHED' as kind, 'IngestionRun' as from_type, ingestion_run_id::text as from_id, 'ApiPayload' as to_type, id::text as to_id
      from api_payloads where ingestion_run_id = any(:runs::bigint[])
    union all select 'FED', 'ApiPayload', api_payload_id::text, 'TradeDecision', trade_decision_id::text
      from decision_inputs where api_payload_id = any(:payloads::bigint[])
    union all select 'EXECUTED_AS', 'TradeDecision', trade_decision_id::text, 'TradeExecution', id::text
      from trade_executions where trade_decision_id = any(:decisions::bigint[])
    union all select 'REQUESTED', 'TradeExecution', id::text, 'ApiPayload', api_request_payload_id::text
      from trade_executions where id = any(:executions::bigint[]) and api_request_payload_id is not null
    union all select 'RESPONDED', 'TradeExecution', id::text, 'ApiPayload', api_response_payload_id::text
      from trade_executions where id = any(:executions::bigint[]) and api_response_payload_id is not null
    union all select 'BUILT', 'TradeExecution', id::text, 'Position', position_id::text
      from trade_executions where id = any(:executions::bigint[]) and position_id is not null`,
  UPSTREAM: `
    select 'FETCHED' as kind, 'IngestionRun' as from_type, ingestion_run_id::text as from_id, 'ApiPayload' as to_type, id::text as to_id
      from api_payloads where id = any(:payloads::bigint[]) and ingestion_run_id is not null
    union all select 'FED', 'ApiPayload', api_payload_id::text, 'TradeDecision', trade_decision_id::text
      from decision_inputs where trade_decision_id = any(:decisions::bigint[])
    union all select 'EXECUTED_AS', 'TradeDecision', trade_decision_id::text, 'TradeExecution', id::text
      from trade_executions where id = any(:executions::bigint[]) and trade_decision_id is not null
    union all select 'REQUESTED', 'TradeExecution', id::text, 'ApiPayload', api_request_payload_id::text
      from trade_executions where (id = any(:executions::bigint[]) or api_request_payload_id = any(:payloads::bigint[])) and api_request_payload_id is not null
    union all select 'RESPONDED', 'TradeExecution', id::text, 'ApiPayload', api_response_payload_id::text
      from trade_executions where (id = any(:executions::bigint[]) or api_response_payload_id = any(:payloads::bigint[])) and api_response_payload_id is not null
    union all select 'BUILT', 'TradeExecution', id::text, 'Position', position_id::text
      from trade_executions where position_id = any(:positions::bigint[])`,
};

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
  const directions: ('UPSTREAM' | 'DOWNSTREAM')[] =
    options.direction === 'BOTH' ? ['UPSTREAM', 'DOWNSTREAM'] : [options.direction];

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

async function neighbours(
  em: EntityManager,
  direction: 'UPSTREAM' | 'DOWNSTREAM',
  frontier: NodeRef[],
): Promise<EdgeRow[]> {
  const ids: Frontier = { IngestionRun: [], ApiPayload: [], TradeDecision: [], TradeExecution: [], Position: [] };
  for (const node of frontier) ids[node.type].push(node.id);
  // Ids are validated digits, so a PostgreSQL array literal is safe; one parameter per type.
  const bindings = {
    runs: `{${ids.IngestionRun.join(',')}}`,
    payloads: `{${ids.ApiPayload.join(',')}}`,
    decisions: `{${ids.TradeDecision.join(',')}}`,
    executions: `{${ids.TradeExecution.join(',')}}`,
    positions: `{${ids.Position.join(',')}}`,
  };
  const sql = `select * from (${NEIGHBOURS[direction]}) neighbours order by kind, to_id::bigint, from_id::bigint`;
  return em
    .getConnection()
    .getKnex()
    .raw(sql, bindings)
    .then((result: { rows: EdgeRow[] }) => result.rows);
}
