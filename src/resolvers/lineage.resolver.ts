import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import type { Context } from './context';
import { BadInputError } from '../base/errors';
import { toGlobalId } from '../graphql/global-id';
import { LineageBound, LineageDirection, LineageEdgeKind, LineageGraph } from './types/lineage-graph.types';
import type { Node } from '../graphql/node.interface';
import { fromGlobalId } from '../lineage/global-id';
import { traceLineage } from '../queries/lineage-trace';
import { loadNode } from './node.resolver';

const MAX_DEPTH = 10;
const MAX_NODES = 5000;

@Authorized(Permission.readLineage)
@Resolver()
export class LineageResolver {
  @Query(() => LineageGraph, {
    nullable: true,
    description:
      'The lineage graph around one node: UPSTREAM is its provenance, DOWNSTREAM its blast radius. ' +
      `One statement per level and direction; depth at most ${MAX_DEPTH}, nodes at most ${MAX_NODES}. ` +
      'Null when the node is unknown.',
  })
  async lineage(
    @Arg('from', () => ID) from: string,
    @Arg('direction', () => LineageDirection, { defaultValue: LineageDirection.BOTH }) direction: LineageDirection,
    @Arg('depth', () => Int, { defaultValue: 4 }) depth: number,
    @Arg('maxNodes', () => Int, { defaultValue: 1000 }) maxNodes: number,
    @Ctx() { em, loaders }: Context,
  ): Promise<LineageGraph | null> {
    const root = fromGlobalId(from, 'from');
    if (depth < 1 || depth > MAX_DEPTH)
      throw new BadInputError(`\`depth\` must be between 1 and ${MAX_DEPTH}; got ${depth}`, 'depth');
    if (maxNodes < 1 || maxNodes > MAX_NODES)
      throw new BadInputError(`\`maxNodes\` must be between 1 and ${MAX_NODES}; got ${maxNodes}`, 'maxNodes');
    const rootNode = await loadNode(loaders, root.type, root.databaseId);
    if (!rootNode) return null;

    const trace = await traceLineage(em, { type: root.type, id: root.databaseId }, { direction, depth, maxNodes });
    const nodes = await Promise.all(trace.nodes.map((node) => loadNode(loaders, node.type, node.id)));
    return {
      root: rootNode,
      nodes: nodes.filter((node): node is Node => node !== null),
      edges: trace.edges.map((edge) => ({
        kind: LineageEdgeKind[edge.kind],
        from: toGlobalId(edge.from.type, edge.from.id),
        to: toGlobalId(edge.to.type, edge.to.id),
      })),
      truncated: trace.truncatedBy.length > 0,
      truncatedBy: trace.truncatedBy.map((bound) => (bound === 'depth' ? LineageBound.DEPTH : LineageBound.MAX_NODES)),
      cutAt: trace.cutAt.slice(0, 100).map((node) => toGlobalId(node.type, node.id)),
      nodeCount: nodes.length,
    };
  }
}
